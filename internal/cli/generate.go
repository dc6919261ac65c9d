package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/gatewarden/gatewarden/internal/docs"
	"github.com/gatewarden/gatewarden/internal/policies"
	"github.com/gatewarden/gatewarden/internal/render"
)

func newGenerate() *cobra.Command {
	var root string
	var check bool
	cmd := &cobra.Command{
		Use:   "generate",
		Short: "Render templates, constraints, sync config and kustomizations from the catalog",
		Long: `generate renders every policy of the catalog into templates/, constraints/ and
sync/, the kustomization files, the reference docs, the registry of policy folders
and the version lock (internal/policies/versions.lock). A policy whose rendered
template changed must carry a higher Version than the lock records: generate
refuses otherwise and names the policy and what to bump. With --check it
renders into memory instead and exits 1 when a committed file differs, is missing,
or is stale.

When a policy folder was added or removed, the registry changes first and the
command asks to be run again, so that the new catalog is compiled in.`,
		Example: `  gatewarden generate
  gatewarden generate --check`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runGenerate(cmd, root, check)
		},
	}
	cmd.Flags().StringVar(&root, "root", ".", "repository root to render into")
	cmd.Flags().BoolVar(&check, "check", false, "do not write; exit 1 if the committed files are out of date")
	return cmd
}

func runGenerate(cmd *cobra.Command, root string, check bool) error {
	out := cmd.OutOrStdout()
	rootFS := os.DirFS(root)
	keys, err := render.PolicyKeys(rootFS)
	if err != nil {
		return &exitError{ExitUsage, fmt.Errorf("%s is not a gatewarden checkout: %w", root, err)}
	}
	registry, err := render.Registry(keys)
	if err != nil {
		return &exitError{ExitUsage, err}
	}
	all, err := policies.All()
	if err != nil {
		return &exitError{ExitUsage, err}
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		return &exitError{ExitUsage, fmt.Errorf("%s is not a gatewarden checkout: %w", root, err)}
	}
	mem := render.MemSink{}
	if err := render.Library(all, mem, readme); err != nil {
		return &exitError{ExitUsage, err}
	}
	if err := docs.Render(cmd.Context(), all, rootFS, mem); err != nil {
		return &exitError{ExitUsage, err}
	}
	lockData, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(render.LockPath)))
	if err != nil && !os.IsNotExist(err) {
		return &exitError{ExitUsage, err}
	}
	previous, err := render.ParseLock(lockData)
	if err != nil {
		return &exitError{ExitUsage, err}
	}
	lock, err := render.Lock(all, previous)
	if err != nil {
		return &exitError{ExitViolations, err}
	}
	if err := mem.Write(render.LockPath, lock); err != nil {
		return &exitError{ExitUsage, err}
	}
	current, _ := os.ReadFile(filepath.Join(root, filepath.FromSlash(render.RegistryPath)))
	registryStale := !bytes.Equal(current, registry)

	if check {
		drift, err := render.Diff(mem, rootFS)
		if err != nil {
			return &exitError{ExitUsage, err}
		}
		if registryStale {
			drift = append(drift, render.RegistryPath+" (differs)")
		}
		if len(drift) > 0 {
			for _, d := range drift {
				fmt.Fprintln(out, d)
			}
			return &exitError{ExitViolations, render.ErrDrift}
		}
		fmt.Fprintf(out, "generated files are up to date (%d policies)\n", len(all))
		return nil
	}

	if registryStale {
		sink := render.DirSink{Root: root}
		if err := sink.Write(render.RegistryPath, registry); err != nil {
			return &exitError{ExitUsage, err}
		}
		fmt.Fprintf(out, "updated %s: run generate again to render the new catalog\n", render.RegistryPath)
		return nil
	}
	if err := render.Clean(root); err != nil {
		return &exitError{ExitUsage, err}
	}
	dirSink := render.DirSink{Root: root}
	for p, data := range mem {
		if err := dirSink.Write(p, data); err != nil {
			return &exitError{ExitUsage, err}
		}
	}
	fmt.Fprintf(out, "rendered %d policies (%d files)\n", len(all), len(mem))
	return nil
}
