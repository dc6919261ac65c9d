package cli

import (
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/gatewarden/gatewarden"
	"github.com/gatewarden/gatewarden/internal/policies"
	"github.com/gatewarden/gatewarden/internal/spec"
)

func newExplain() *cobra.Command {
	return &cobra.Command{
		Use:   "explain [Kind|key]",
		Short: "Print a policy's reference page: what it enforces, parameters, examples, exemptions",
		Long: `explain prints the reference page of one policy (the same page as
docs/policies/<key>.md): what it enforces and why, its compliance references, its
parameters with types and defaults, the default constraint, an allowed and a
disallowed example with the message the policy gives, and how to exempt.

The policy is named by its Kind (K8sNoPrivilegedContainers, any case), its key
(no-privileged-containers) or its template name (k8snoprivilegedcontainers).
Without an argument, explain lists every policy.`,
		Example: `  gatewarden explain                            # list every policy
  gatewarden explain K8sNoPrivilegedContainers
  gatewarden explain run-as-non-root | less`,
		Args: cobra.MaximumNArgs(1),
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			var out []string
			for _, p := range policies.MustAll() {
				out = append(out, p.Kind, p.Key)
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			all := policies.MustAll()
			out := cmd.OutOrStdout()
			if len(args) == 0 {
				tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "KIND\tKEY\tDEFAULT\tTITLE")
				for _, p := range all {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", p.Kind, p.Key, p.Enforcement, p.Title)
				}
				return tw.Flush()
			}
			p, err := findPolicy(all, args[0])
			if err != nil {
				return &exitError{ExitUsage, err}
			}
			page, err := fs.ReadFile(gatewarden.PolicyDocs, "docs/policies/"+p.Key+".md")
			if err != nil {
				return &exitError{ExitUsage, fmt.Errorf("no reference page for %s: run `make generate`", p.Key)}
			}
			text := string(page)
			if i := strings.Index(text, "-->\n"); strings.HasPrefix(text, "<!--") && i >= 0 {
				text = text[i+len("-->\n"):]
			}
			_, err = fmt.Fprint(out, text)
			return err
		},
	}
}

// findPolicy looks a policy up by Kind, key or template name, case-insensitively,
// and suggests near names when none matches.
func findPolicy(all []*spec.Policy, name string) (*spec.Policy, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	for _, p := range all {
		if n == strings.ToLower(p.Kind) || n == p.Key || n == p.TemplateName() {
			return p, nil
		}
	}
	var near []string
	words := strings.FieldsFunc(strings.TrimPrefix(n, "k8s"), func(r rune) bool { return r == '-' || r == '_' || r == ' ' })
	for _, p := range all {
		for _, w := range words {
			if len(w) >= 3 && (strings.Contains(p.Key, w) || strings.Contains(strings.ToLower(p.Kind), w)) {
				near = append(near, p.Kind)
				break
			}
		}
	}
	sort.Strings(near)
	msg := fmt.Sprintf("no policy named %q: give a Kind (e.g. K8sNoPrivilegedContainers) or a key (e.g. no-privileged-containers); `gatewarden explain` lists them", name)
	if len(near) > 0 {
		msg += "; did you mean " + strings.Join(near, ", ") + "?"
	}
	return nil, fmt.Errorf("%s", msg)
}
