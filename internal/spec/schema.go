package spec

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
)

// Schema reflects a parameter struct into the openAPIV3Schema of a constraint's
// parameters. Struct tags drive it:
//
//	json:"name,omitempty"      the property name (fields without a json name are skipped)
//	description:"..."          the property description (required on every field)
//	enum:"a,b,c"               allowed values of a string (or of each item of a []string)
//	default:"<json>"           the value the API server and the framework fill in
//	required:"true"            the property must be set
//	pattern:"<re2>"            a regular expression a string (or each item) must match
//
// A nil params value yields nil: the template then declares no parameters.
func Schema(params any) (*apiextensionsv1.JSONSchemaProps, error) {
	if params == nil {
		return nil, nil
	}
	t := reflect.TypeOf(params)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("params must be a struct, got %s", t.Kind())
	}
	return structSchema(t)
}

func structSchema(t reflect.Type) (*apiextensionsv1.JSONSchemaProps, error) {
	s := &apiextensionsv1.JSONSchemaProps{Type: "object", Properties: map[string]apiextensionsv1.JSONSchemaProps{}}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name := jsonName(f)
		if name == "" {
			continue
		}
		p, err := fieldSchema(f.Type)
		if err != nil {
			return nil, fmt.Errorf("field %s: %w", f.Name, err)
		}
		p.Description = f.Tag.Get("description")
		if p.Description == "" {
			return nil, fmt.Errorf("field %s: missing description tag", f.Name)
		}
		if enum := f.Tag.Get("enum"); enum != "" {
			target := &p
			if p.Type == "array" {
				target = &p.Items.Schema
			}
			for _, v := range strings.Split(enum, ",") {
				raw, _ := json.Marshal(v)
				(*target).Enum = append((*target).Enum, apiextensionsv1.JSON{Raw: raw})
			}
		}
		if pat := f.Tag.Get("pattern"); pat != "" {
			if p.Type == "array" {
				p.Items.Schema.Pattern = pat
			} else {
				p.Pattern = pat
			}
		}
		if def := f.Tag.Get("default"); def != "" {
			if !json.Valid([]byte(def)) {
				return nil, fmt.Errorf("field %s: default tag %q is not JSON", f.Name, def)
			}
			p.Default = &apiextensionsv1.JSON{Raw: []byte(def)}
		}
		if f.Tag.Get("required") == "true" {
			s.Required = append(s.Required, name)
		}
		s.Properties[name] = *p
	}
	return s, nil
}

func fieldSchema(t reflect.Type) (*apiextensionsv1.JSONSchemaProps, error) {
	switch t.Kind() {
	case reflect.String:
		return &apiextensionsv1.JSONSchemaProps{Type: "string"}, nil
	case reflect.Bool:
		return &apiextensionsv1.JSONSchemaProps{Type: "boolean"}, nil
	case reflect.Int, reflect.Int32, reflect.Int64:
		return &apiextensionsv1.JSONSchemaProps{Type: "integer"}, nil
	case reflect.Pointer:
		return fieldSchema(t.Elem())
	case reflect.Slice:
		items, err := fieldSchema(t.Elem())
		if err != nil {
			return nil, err
		}
		return &apiextensionsv1.JSONSchemaProps{Type: "array", Items: &apiextensionsv1.JSONSchemaPropsOrArray{Schema: items}}, nil
	case reflect.Struct:
		return structSchema(t)
	default:
		return nil, fmt.Errorf("unsupported parameter type %s", t)
	}
}

func jsonName(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "-" {
		return ""
	}
	return name
}

// ParamNames returns the top-level parameter names a params struct declares.
func ParamNames(params any) map[string]bool {
	out := map[string]bool{}
	if params == nil {
		return out
	}
	t := reflect.TypeOf(params)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return out
	}
	for i := 0; i < t.NumField(); i++ {
		if n := jsonName(t.Field(i)); n != "" {
			out[n] = true
		}
	}
	return out
}

// ParamsMap converts a parameter value to the map a constraint carries.
func ParamsMap(v any) (map[string]any, error) {
	if v == nil {
		return nil, nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	return m, nil
}
