// Command gatewarden renders, checks and scaffolds the gatewarden policy library.
package main

import (
	"os"

	"github.com/gatewarden/gatewarden/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
