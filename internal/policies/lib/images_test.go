package lib_test

import (
	"context"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types/ref"
	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/format"
	"github.com/open-policy-agent/opa/v1/rego"
	"k8s.io/apiserver/pkg/cel/environment"

	"github.com/gatewarden/gatewarden/internal/policies/lib"
)

// imageRef is what lib.images says about one reference. For an invalid reference
// only Valid is set: parse must be undefined.
type imageRef struct {
	Valid      bool
	Registry   string
	Repository string
	Tag        string
	Digest     string
}

var (
	sha256Hex = strings.Repeat("0123456789abcdef", 4)            // 64
	sha512Hex = strings.Repeat("0123456789abcdef", 8)            // 128
	hex32     = strings.Repeat("0123456789abcdef", 2)            // 32
	tag128    = "v" + strings.Repeat("1234567.", 15) + "1234567" // 128
	// name255 is a 255-character name: registry (20) + "/" + path (234).
	name255 = "registry.example.com/" + strings.Repeat("a", 234)
	// The 255-character limit is on the normalized name: these are 255 long once
	// docker.io/ (10), docker.io/library/ (18) is filled in or index.docker.io
	// folded into docker.io.
	hubPath245   = "team/" + strings.Repeat("a", 240)
	hubName237   = strings.Repeat("a", 237)
	indexPath261 = "index.docker.io/team/" + strings.Repeat("a", 240)
)

// imageCases are spelled as the runtime (distribution/reference ParseNormalizedNamed
// followed by digest validation) resolves them.
var imageCases = []struct {
	ref  string
	want imageRef
}{
	// Docker Hub: implicit registry and library/ namespace.
	{"nginx", imageRef{true, "docker.io", "library/nginx", "", ""}},
	{"nginx:1.25", imageRef{true, "docker.io", "library/nginx", "1.25", ""}},
	{"nginx:latest", imageRef{true, "docker.io", "library/nginx", "latest", ""}},
	{"library/nginx:1.0", imageRef{true, "docker.io", "library/nginx", "1.0", ""}},
	{"docker.io/nginx", imageRef{true, "docker.io", "library/nginx", "", ""}},
	{"docker.io/library/nginx:1.0", imageRef{true, "docker.io", "library/nginx", "1.0", ""}},
	{"index.docker.io/nginx:1.0", imageRef{true, "docker.io", "library/nginx", "1.0", ""}},
	{"index.docker.io/team/app:2", imageRef{true, "docker.io", "team/app", "2", ""}},
	{"team/app:1.0", imageRef{true, "docker.io", "team/app", "1.0", ""}},
	{"sha256:" + sha256Hex, imageRef{true, "docker.io", "library/sha256", sha256Hex, ""}},
	// localhost with a port and no slash is a repository and a tag.
	{"localhost:5000", imageRef{true, "docker.io", "library/localhost", "5000", ""}},
	// Other registries: a first component with '.', ':', upper case or localhost is a host.
	{"ghcr.io/org/app:v1.2.3", imageRef{true, "ghcr.io", "org/app", "v1.2.3", ""}},
	{"registry.example.com/team/app:1.2.3", imageRef{true, "registry.example.com", "team/app", "1.2.3", ""}},
	{"registry.example.com:5000/team/app:1.2.3", imageRef{true, "registry.example.com:5000", "team/app", "1.2.3", ""}},
	{"registry.example.com/a/b/c/d:1", imageRef{true, "registry.example.com", "a/b/c/d", "1", ""}},
	{"Registry.example.com/team/app:1.0", imageRef{true, "Registry.example.com", "team/app", "1.0", ""}},
	{"Team/app:1.0", imageRef{true, "Team", "app", "1.0", ""}},
	{"registry:5000/app", imageRef{true, "registry:5000", "app", "", ""}},
	{"registry:5000/app:v1", imageRef{true, "registry:5000", "app", "v1", ""}},
	{"localhost/app:1", imageRef{true, "localhost", "app", "1", ""}},
	{"localhost:5000/app", imageRef{true, "localhost:5000", "app", "", ""}},
	{"[::1]:5000/app", imageRef{true, "[::1]:5000", "app", "", ""}},
	{"[::1]:5000/app:1.0", imageRef{true, "[::1]:5000", "app", "1.0", ""}},
	{"[2001:db8::1]/team/app", imageRef{true, "[2001:db8::1]", "team/app", "", ""}},
	// Path components and tags.
	{"app_x:1", imageRef{true, "docker.io", "library/app_x", "1", ""}},
	{"app__x--y.z:1", imageRef{true, "docker.io", "library/app__x--y.z", "1", ""}},
	{"app:1.0-rc.1_build", imageRef{true, "docker.io", "library/app", "1.0-rc.1_build", ""}},
	{"app:_x", imageRef{true, "docker.io", "library/app", "_x", ""}},
	{"app:LATEST", imageRef{true, "docker.io", "library/app", "LATEST", ""}},
	{"app:" + tag128, imageRef{true, "docker.io", "library/app", tag128, ""}},
	{name255 + ":1", imageRef{true, "registry.example.com", strings.Repeat("a", 234), "1", ""}},
	{hubPath245 + ":1", imageRef{true, "docker.io", hubPath245, "1", ""}},
	{hubName237, imageRef{true, "docker.io", "library/" + hubName237, "", ""}},
	{"docker.io/" + hubName237 + ":1", imageRef{true, "docker.io", "library/" + hubName237, "1", ""}},
	{"index.docker.io/" + hubName237 + ":1", imageRef{true, "docker.io", "library/" + hubName237, "1", ""}},
	{indexPath261 + ":1", imageRef{true, "docker.io", strings.TrimPrefix(indexPath261, "index.docker.io/"), "1", ""}},
	// A 64-hex name is refused only bare: with a tag it is a repository.
	{sha256Hex + ":1.0", imageRef{true, "docker.io", "library/" + sha256Hex, "1.0", ""}},
	// Digests: a digest pins the image whatever its tag.
	{"app@sha256:" + sha256Hex, imageRef{true, "docker.io", "library/app", "", "sha256:" + sha256Hex}},
	{"app:latest@sha256:" + sha256Hex, imageRef{true, "docker.io", "library/app", "latest", "sha256:" + sha256Hex}},
	{"registry:5000/app@sha256:" + sha256Hex, imageRef{true, "registry:5000", "app", "", "sha256:" + sha256Hex}},
	{"app@sha384:" + sha256Hex + hex32, imageRef{true, "docker.io", "library/app", "", "sha384:" + sha256Hex + hex32}},
	{"registry.example.com:5000/team/app:1.0@sha512:" + sha512Hex, imageRef{true, "registry.example.com:5000", "team/app", "1.0", "sha512:" + sha512Hex}},

	// Invalid references.
	{"", imageRef{}},
	{" ", imageRef{}},
	{"Nginx:1.0", imageRef{}},
	{"NGINX", imageRef{}},
	{"registry.example.com/Team/app:1.0", imageRef{}},
	{"registry.example.com/team/App:1.0", imageRef{}},
	{"my app:1.0", imageRef{}},
	{" nginx:1.0", imageRef{}},
	{"nginx:1.0 ", imageRef{}},
	{"nginx:1.0\n", imageRef{}},
	{"registry.example.com//app:1.0", imageRef{}},
	{"/app:1.0", imageRef{}},
	{"app/:1.0", imageRef{}},
	{"-app:1.0", imageRef{}},
	{"app..x:1.0", imageRef{}},
	{"app___x:1.0", imageRef{}},
	{"nginx:", imageRef{}},
	{"nginx:-1", imageRef{}},
	{"nginx:.1", imageRef{}},
	{"nginx:1.0:2.0", imageRef{}},
	{"nginx:1.0é", imageRef{}},
	{"app:" + tag128 + "x", imageRef{}},
	{name255 + "a:1", imageRef{}},
	{hubPath245 + "a:1", imageRef{}},
	{hubName237 + "a", imageRef{}},
	{"docker.io/" + hubName237 + "a:1", imageRef{}},
	{"index.docker.io/" + hubName237 + "a:1", imageRef{}},
	{indexPath261 + "a:1", imageRef{}},
	{sha256Hex, imageRef{}},
	{"registry:port/app:1.0", imageRef{}},
	{"[::1]", imageRef{}},
	{"[zz]:5000/app", imageRef{}},
	{"app@", imageRef{}},
	{"app@sha256:xyz", imageRef{}},
	{"app@sha256:" + hex32, imageRef{}},
	{"app@sha256:" + strings.ToUpper(sha256Hex), imageRef{}},
	{"app@sha256:" + sha256Hex + "0", imageRef{}},
	{"app@md5:" + hex32, imageRef{}},
	{"app@sha512:" + sha256Hex, imageRef{}},
	{"app@SHA256:" + sha256Hex, imageRef{}},
	{"app@sha256:" + sha256Hex + "@sha256:" + sha256Hex, imageRef{}},
	{"@sha256:" + sha256Hex, imageRef{}},
}

var mapSliceType = reflect.TypeOf([][]map[string]any{})

// TestImagesRegoFormatted keeps images.rego as opa fmt writes it.
func TestImagesRegoFormatted(t *testing.T) {
	src, err := os.ReadFile("images.rego")
	if err != nil {
		t.Fatal(err)
	}
	got, err := format.SourceWithOpts("images.rego", src, format.Opts{RegoVersion: ast.RegoV1})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(src), string(got)); diff != "" {
		t.Errorf("images.rego is not opa fmt clean (-have +opa fmt):\n%s", diff)
	}
}

func regoQuery(t *testing.T, query string) rego.PreparedEvalQuery {
	t.Helper()
	src, err := os.ReadFile("images.rego")
	if err != nil {
		t.Fatal(err)
	}
	q, err := rego.New(
		rego.Query(query),
		rego.Module("images.rego", string(src)),
		rego.SetRegoVersion(ast.RegoV1),
	).PrepareForEval(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// evalRego returns the value bound to x, or nil when the query is undefined.
func evalRego(t *testing.T, q rego.PreparedEvalQuery, ref string) any {
	t.Helper()
	rs, err := q.Eval(context.Background(), rego.EvalInput(map[string]any{"ref": ref}))
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) == 0 {
		return nil
	}
	return rs[0].Bindings["x"]
}

func TestImagesRego(t *testing.T) {
	valid := regoQuery(t, "x := data.lib.images.valid(input.ref)")
	parse := regoQuery(t, "x := data.lib.images.parse(input.ref)")
	seen := map[string]bool{}
	for _, tc := range imageCases {
		if seen[tc.ref] {
			t.Fatalf("duplicate case %q", tc.ref)
		}
		seen[tc.ref] = true
		t.Run(tc.ref, func(t *testing.T) {
			var got imageRef
			switch v := evalRego(t, valid, tc.ref); v {
			case true:
				got.Valid = true
			case nil:
			default:
				t.Fatalf("valid(%q) = %v, want true or undefined", tc.ref, v)
			}
			p := evalRego(t, parse, tc.ref)
			if p == nil {
				if got.Valid {
					t.Errorf("parse(%q) is undefined for a valid reference", tc.ref)
				}
			} else {
				m, ok := p.(map[string]any)
				if !ok {
					t.Fatalf("parse(%q) = %v, want an object", tc.ref, p)
				}
				got.Registry, _ = m["registry"].(string)
				got.Repository, _ = m["repository"].(string)
				got.Tag, _ = m["tag"].(string)
				got.Digest, _ = m["digest"].(string)
				if name := got.Registry + "/" + got.Repository; m["name"] != name {
					t.Errorf("parse(%q).name = %v, want %q", tc.ref, m["name"], name)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("lib.images(%q) mismatch (-want +got):\n%s", tc.ref, diff)
			}
		})
	}
}

// TestImageSetsCEL evaluates the imageSets variable of lib.cel on every case and
// requires the valid, tag and digest that lib.images gives (tag and digest only
// for a valid reference: the policies never read them otherwise).
func TestImageSetsCEL(t *testing.T) {
	vars, err := lib.CEL()
	if err != nil {
		t.Fatal(err)
	}
	var expr string
	for _, v := range vars {
		if v.Name == "imageSets" {
			expr = v.Expression
		}
	}
	if expr == "" {
		t.Fatal("lib.cel has no imageSets variable")
	}
	env, err := environment.MustBaseEnvSet(environment.DefaultCompatibilityVersion()).NewExpressionsEnv().
		Extend(cel.Variable("variables", cel.MapType(cel.StringType, cel.DynType)))
	if err != nil {
		t.Fatal(err)
	}
	ast, iss := env.Compile(expr)
	if iss.Err() != nil {
		t.Fatalf("imageSets: %v", iss.Err())
	}
	prg, err := env.Program(ast)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range imageCases {
		t.Run(tc.ref, func(t *testing.T) {
			in := map[string]any{"variables": map[string]any{
				"checkedContainerSets": []any{[]any{map[string]any{"name": "app", "path": "spec.containers[app]", "image": tc.ref, "container": map[string]any{"image": tc.ref}}}},
			}}
			out, _, err := prg.Eval(in)
			if err != nil {
				t.Fatalf("imageSets(%q): %v", tc.ref, err)
			}
			native, err := out.ConvertToNative(mapSliceType)
			if err != nil {
				t.Fatal(err)
			}
			sets := native.([][]map[string]any)
			if len(sets) != 1 || len(sets[0]) != 1 {
				t.Fatalf("imageSets(%q) = %v, want one entry", tc.ref, sets)
			}
			e := sets[0][0]
			got := imageRef{}
			got.Valid, _ = e["valid"].(bool)
			want := imageRef{Valid: tc.want.Valid}
			if got.Valid {
				got.Tag, _ = e["tag"].(string)
				got.Digest, _ = e["digest"].(string)
				want.Tag, want.Digest = tc.want.Tag, tc.want.Digest
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("imageSets(%q) mismatch (-want +got):\n%s", tc.ref, diff)
			}
		})
	}
}

// TestImageRefSetsCEL evaluates imageSets and then imageRefSets of lib.cel on
// every case and requires everything lib.images.parse gives: valid, and for a
// valid reference the registry, repository, tag and digest (registry and
// repository are "" for an invalid one, which no policy reads).
func TestImageRefSetsCEL(t *testing.T) {
	vars, err := lib.CEL()
	if err != nil {
		t.Fatal(err)
	}
	exprs := map[string]string{}
	for _, v := range vars {
		exprs[v.Name] = v.Expression
	}
	env, err := environment.MustBaseEnvSet(environment.DefaultCompatibilityVersion()).NewExpressionsEnv().
		Extend(cel.Variable("variables", cel.MapType(cel.StringType, cel.DynType)))
	if err != nil {
		t.Fatal(err)
	}
	programs := map[string]cel.Program{}
	for _, name := range []string{"imageSets", "imageRefSets"} {
		if exprs[name] == "" {
			t.Fatalf("lib.cel has no %s variable", name)
		}
		ast, iss := env.Compile(exprs[name])
		if iss.Err() != nil {
			t.Fatalf("%s: %v", name, iss.Err())
		}
		if programs[name], err = env.Program(ast); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range imageCases {
		t.Run(tc.ref, func(t *testing.T) {
			variables := map[string]any{
				"checkedContainerSets": []any{[]any{map[string]any{"name": "app", "path": "spec.containers[app]", "image": tc.ref, "container": map[string]any{"image": tc.ref}}}},
			}
			for _, name := range []string{"imageSets", "imageRefSets"} {
				out, _, err := programs[name].Eval(map[string]any{"variables": variables})
				if err != nil {
					t.Fatalf("%s(%q): %v", name, tc.ref, err)
				}
				variables[name] = out
			}
			native, err := variables["imageRefSets"].(ref.Val).ConvertToNative(mapSliceType)
			if err != nil {
				t.Fatal(err)
			}
			sets := native.([][]map[string]any)
			if len(sets) != 1 || len(sets[0]) != 1 {
				t.Fatalf("imageRefSets(%q) = %v, want one entry", tc.ref, sets)
			}
			e := sets[0][0]
			if e["name"] != "app" || e["path"] != "spec.containers[app]" || e["image"] != tc.ref {
				t.Errorf("imageRefSets(%q) lost the entry's name, path or image: %v", tc.ref, e)
			}
			got := imageRef{}
			got.Valid, _ = e["valid"].(bool)
			got.Registry, _ = e["registry"].(string)
			got.Repository, _ = e["repository"].(string)
			if got.Valid {
				got.Tag, _ = e["tag"].(string)
				got.Digest, _ = e["digest"].(string)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("imageRefSets(%q) mismatch (-want +got):\n%s", tc.ref, diff)
			}
		})
	}
}
