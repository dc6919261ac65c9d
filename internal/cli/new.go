package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/validation"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
	"sigs.k8s.io/yaml"

	"github.com/gatewarden/gatewarden/internal/engine"
	"github.com/gatewarden/gatewarden/internal/policies"
	"github.com/gatewarden/gatewarden/internal/render"
	"github.com/gatewarden/gatewarden/internal/scaffold"
	"github.com/gatewarden/gatewarden/internal/spec"
)

func newNew() *cobra.Command {
	var root, kind, scope string
	var referential bool
	cmd := &cobra.Command{
		Use:   "new <key> [--kind K8sXxx] [--scope container|pod|object] [--referential]",
		Short: "Scaffold a new policy: spec, Rego, CEL and a suite that passes the harness",
		Long: `new scaffolds a policy in this checkout:

  internal/policies/<key>/policy.go    the spec, with a typed Params struct
  internal/policies/<key>/policy.rego  the Rego rule
  internal/policies/<key>/policy.cel   the CEL rules (not for --referential)
  tests/<key>/suite.yaml, cases/...    the cases the harness requires of the scope
  tests/bypass/<key>/suite.yaml, ...    three ways around the rule, each caught

and registers the folder (internal/policies/zz_generated.registry.go). Each scope
comes with a small working rule, so that make generate and go test ./... pass at
once; replace it with your own and keep the cases in step:

  container  containers may not set stdin or tty (every container list, exemptImages)
  pod        pods may not use the system priority classes
  object     Namespaces must carry a team label
  --referential (object)  Ingress backends must name an existing Service (reads
             data.inventory, Rego only, sync config rendered for you)

The Kind defaults to K8s followed by the key in UpperCamelCase. A key or Kind that
is malformed or already taken is refused, with the fix.`,
		Example: `  gatewarden new no-interactive-containers
  gatewarden new system-priority --kind K8sNoSystemPriority --scope pod
  gatewarden new ingress-backend-exists --referential
  make generate && go test ./tests -run 'TestPolicies/no-interactive-containers'`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return fmt.Errorf("new takes one policy key (e.g. no-interactive-containers), got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			key := args[0]
			if kind == "" {
				kind = scaffold.DefaultKind(key)
			}
			if scope == "" {
				scope = string(spec.ScopeContainer)
				if referential {
					scope = string(spec.ScopeObject)
				}
			}
			known, _ := policies.All()
			files, err := scaffold.New(scaffold.Options{
				Root: root, Key: key, Kind: kind, Scope: spec.Scope(scope), Referential: referential, Known: known,
			})
			if err != nil {
				return &exitError{ExitUsage, err}
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "scaffolded %s (%s, %s scope):\n", key, kind, scope)
			for _, f := range files {
				fmt.Fprintf(out, "  %s\n", f)
			}
			fmt.Fprintf(out, `
Next:
  make generate                                  # render the template, constraint, docs, lock
  go test ./tests -run 'TestPolicies/%s'   # prove it on both engines
Then replace the example rule in internal/policies/%s with yours, keep the
cases in tests/%s in step, and run both again.
`, key, key, key)
			return nil
		},
	}
	cmd.Flags().StringVar(&root, "root", ".", "repository root")
	cmd.Flags().StringVar(&kind, "kind", "", "the constraint Kind (default: K8s + the key in UpperCamelCase)")
	cmd.Flags().StringVar(&scope, "scope", "", "what the policy checks: container, pod or object (default container; object with --referential)")
	cmd.Flags().BoolVar(&referential, "referential", false, "the policy reads other objects (data.inventory): Rego only, with sync config")
	cmd.AddCommand(newConstraint())
	return cmd
}

func newConstraint() *cobra.Command {
	var dir, enforcement string
	var sets []string
	var force bool
	cmd := &cobra.Command{
		Use:   "constraint <Kind|key> <name> [--set key=value ...] [--enforcement deny|warn|dryrun] [--dir DIR]",
		Short: "Write a constraint for a policy of the library into an overlay folder",
		Long: `new constraint writes <DIR>/<name>.yaml: a constraint of the policy's Kind that starts
from its default constraint (match, excluded namespaces, parameters) with the
parameters given by --set and the enforcement action of --enforcement. The
parameters are validated against the template's schema before anything is
written. When DIR has a kustomization.yaml, the file is added to its resources.

--set takes key=value; the value is YAML, so lists and objects are written inline:
  --set exemptImages='[registry.example.com/agents/*]'
  --set 'labels=[{key: owner, allowedRegex: "team-.*"}]'
A dotted key sets a field of an object parameter (--set a.b=1).`,
		Example: `  gatewarden new constraint K8sAllowedRegistries prod-registries \
      --set 'registries=[registry.example.com]' --enforcement deny --dir overlays/prod
  gatewarden new constraint run-as-non-root agents-exempt \
      --set 'exemptImages=[registry.example.com/agents/*]' --dir overlays/prod`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 2 {
				return fmt.Errorf("new constraint takes a Kind (or policy key) and a constraint name, got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := findPolicy(policies.MustAll(), args[0])
			if err != nil {
				return &exitError{ExitUsage, err}
			}
			con, err := buildConstraint(cmd.Context(), p, args[1], sets, enforcement)
			if err != nil {
				return &exitError{ExitUsage, err}
			}
			y, err := render.YAML(con.Object)
			if err != nil {
				return &exitError{ExitUsage, err}
			}
			file := filepath.Join(dir, args[1]+".yaml")
			if _, err := os.Stat(file); err == nil && !force {
				return &exitError{ExitUsage, fmt.Errorf("%s exists: choose another name or pass --force to overwrite it", file)}
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return &exitError{ExitUsage, err}
			}
			if err := os.WriteFile(file, y, 0o644); err != nil {
				return &exitError{ExitUsage, err}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s (%s, enforcementAction %v)\n", file, p.Kind, con.Object["spec"].(map[string]any)["enforcementAction"])
			added, err := addToKustomization(dir, args[1]+".yaml")
			if err != nil {
				return &exitError{ExitUsage, err}
			}
			if added != "" {
				fmt.Fprintf(cmd.OutOrStdout(), "added it to the resources of %s\n", added)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", ".", "the overlay folder to write into")
	cmd.Flags().StringArrayVar(&sets, "set", nil, "a parameter as key=value (value in YAML); repeatable")
	cmd.Flags().StringVar(&enforcement, "enforcement", "", "enforcementAction: deny, warn or dryrun (default: the policy's default)")
	cmd.Flags().BoolVar(&force, "force", false, "overwrite an existing file")
	return cmd
}

// buildConstraint starts from p's default constraint and applies the name,
// parameters and enforcement, then has the constraint framework validate it
// against the template's schema, as Gatekeeper would on apply.
func buildConstraint(ctx context.Context, p *spec.Policy, name string, sets []string, enforcement string) (*unstructured.Unstructured, error) {
	var errs []error
	if msgs := validation.IsDNS1123Subdomain(name); len(msgs) > 0 {
		errs = append(errs, fmt.Errorf("constraint name %q: %s", name, strings.Join(msgs, "; ")))
	}
	con, err := render.Constraint(p)
	if err != nil {
		return nil, err
	}
	con.SetName(name)
	con.SetLabels(nil)
	switch enforcement {
	case "":
	case string(spec.Deny), string(spec.Warn), string(spec.DryRun):
		_ = unstructured.SetNestedField(con.Object, enforcement, "spec", "enforcementAction")
	default:
		errs = append(errs, fmt.Errorf("--enforcement %q: use deny, warn or dryrun", enforcement))
	}
	known := spec.ParamNames(p.Params)
	for _, s := range sets {
		k, v, ok := strings.Cut(s, "=")
		if !ok || k == "" {
			errs = append(errs, fmt.Errorf("--set %q: write key=value", s))
			continue
		}
		path := strings.Split(k, ".")
		if !known[path[0]] {
			var names []string
			for n := range known {
				names = append(names, n)
			}
			sort.Strings(names)
			hint := "it takes no parameters"
			if len(names) > 0 {
				hint = "its parameters are " + strings.Join(names, ", ")
			}
			errs = append(errs, fmt.Errorf("--set %s: %s has no parameter %q; %s (see gatewarden explain %s)", s, p.Kind, path[0], hint, p.Key))
			continue
		}
		var value any
		if err := yaml.Unmarshal([]byte(v), &value); err != nil {
			errs = append(errs, fmt.Errorf("--set %s: the value is not valid YAML: %v", s, err))
			continue
		}
		if err := unstructured.SetNestedField(con.Object, normalize(value), append([]string{"spec", "parameters"}, path...)...); err != nil {
			errs = append(errs, fmt.Errorf("--set %s: %v", s, err))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	ct, err := render.Template(p)
	if err != nil {
		return nil, err
	}
	c, err := engine.NewLoaded(ctx, engine.Rego, ct, nil, nil)
	if err != nil {
		return nil, err
	}
	if err := c.AddConstraint(ctx, con); err != nil {
		return nil, fmt.Errorf("%s rejects these parameters (nothing written): %w", p.Kind, err)
	}
	return con, nil
}

// normalize turns YAML-decoded values into what unstructured accepts (int64, not float64).
func normalize(v any) any {
	switch x := v.(type) {
	case float64:
		if x == float64(int64(x)) {
			return int64(x)
		}
		return x
	case []any:
		for i := range x {
			x[i] = normalize(x[i])
		}
		return x
	case map[string]any:
		for k := range x {
			x[k] = normalize(x[k])
		}
		return x
	}
	return v
}

// addToKustomization lists file in dir's kustomization (keeping its comments)
// and returns the kustomization's path, or "" when dir has none or lists it already.
func addToKustomization(dir, file string) (string, error) {
	for _, name := range []string{"kustomization.yaml", "kustomization.yml", "Kustomization"} {
		path := filepath.Join(dir, name)
		data, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		node, err := kyaml.Parse(string(data))
		if err != nil {
			return "", fmt.Errorf("%s: %w", path, err)
		}
		res, err := node.Pipe(kyaml.LookupCreate(kyaml.SequenceNode, "resources"))
		if err != nil {
			return "", fmt.Errorf("%s: resources: %w", path, err)
		}
		for _, e := range res.YNode().Content {
			if e.Value == file {
				return "", nil
			}
		}
		if err := res.PipeE(kyaml.Append(kyaml.NewScalarRNode(file).YNode())); err != nil {
			return "", err
		}
		out, err := node.String()
		if err != nil {
			return "", err
		}
		if bytes.Equal([]byte(out), data) {
			return "", nil
		}
		return path, os.WriteFile(path, []byte(out), 0o644)
	}
	return "", nil
}
