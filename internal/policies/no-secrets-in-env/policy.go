// Package nosecretsinenv keeps credentials out of literal container environment variables.
package nosecretsinenv

import (
	_ "embed"

	"github.com/gatewarden/gatewarden/internal/spec"
)

//go:embed policy.rego
var rego string

//go:embed policy.cel
var cel string

// DefaultSecretNamePattern matches, case-insensitively and anywhere in the name,
// the words that name a credential: DB_PASSWORD, dbPasswd, GITHUB_TOKEN,
// STRIPE_API_KEY, OAUTH_CLIENT_SECRET, GOOGLE_APPLICATION_CREDENTIALS, PWD...
// PASS counts only as the last word of the name (SMTP_PASS, redis.pass, PASS),
// so that BYPASS_CACHE, COMPASS_URL, PASSENGER_COUNT and PASS_THROUGH are not
// taken for credentials.
const DefaultSecretNamePattern = `passw(or)?d|pwd|pass[_.-]?phrase|(^|[_.-])pass$|secret|token|credential|api[_.-]?key|private[_.-]?key|access[_.-]?key|auth[_.-]?key|session[_.-]?key|signing[_.-]?key|encryption[_.-]?key|master[_.-]?key`

// DefaultAllowedNamePattern matches, case-insensitively, the names that contain
// such a word but hold settings about a credential, not the credential itself:
// TOKEN_TTL, JWT_EXPIRATION, PASSWORD_MIN_LENGTH, SECRET_NAME, API_KEY_HEADER,
// AUTH_TOKEN_ENABLED, OAUTH_TOKEN_URL, TOKEN_ISSUER, and Hugging Face's
// TOKENIZERS_PARALLELISM. A URL that embeds a password is still caught by its
// value.
const DefaultAllowedNamePattern = `(^|[_.-])(ttl|timeout|expiry|expiration|expires|expires[_.-]?in|lifetime|duration|(min|max)?[_.-]?length|name|header|enabled|type|algorithm|url|uri|endpoint|host|port|issuer|audience|scopes?)$|tokenizers?([_.-]|$)`

// Params are the parameters of K8sNoSecretsInEnv.
type Params struct {
	SecretNamePattern       string   `json:"secretNamePattern,omitempty" description:"RE2 regular expression, matched case-insensitively anywhere in an environment variable's name, that marks the name as a secret's: a literal value under such a name is refused. An empty string turns the name check off (the value formats are still checked)." default:"\"passw(or)?d|pwd|pass[_.-]?phrase|(^|[_.-])pass$|secret|token|credential|api[_.-]?key|private[_.-]?key|access[_.-]?key|auth[_.-]?key|session[_.-]?key|signing[_.-]?key|encryption[_.-]?key|master[_.-]?key\""`
	AllowedNamePattern      string   `json:"allowedNamePattern,omitempty" description:"RE2 regular expression, matched case-insensitively anywhere in the name, for names that secretNamePattern matches but that hold a setting about a credential rather than the credential (TOKEN_TTL, SECRET_NAME, PASSWORD_MIN_LENGTH, OAUTH_TOKEN_URL). Such names skip the name check only: their values are still checked against the credential formats. An empty string allows no name." default:"\"(^|[_.-])(ttl|timeout|expiry|expiration|expires|expires[_.-]?in|lifetime|duration|(min|max)?[_.-]?length|name|header|enabled|type|algorithm|url|uri|endpoint|host|port|issuer|audience|scopes?)$|tokenizers?([_.-]|$)\""`
	AdditionalValuePatterns []string `json:"additionalValuePatterns,omitempty" description:"RE2 regular expressions for credential formats of your own (an internal token prefix, say), matched case-sensitively anywhere in a literal value whatever the variable's name, in addition to the built-in formats (AWS access key ids, GitHub, GitLab and Slack tokens, PEM private keys, JSON Web Tokens, URLs with an embedded password)."`
	ExemptImages            []string `json:"exemptImages,omitempty" description:"Images whose containers are not checked: an exact reference, or a prefix ending in '*'."`
}

// Policy is the catalog entry.
var Policy = spec.Policy{
	Key:   "no-secrets-in-env",
	Kind:  "K8sNoSecretsInEnv",
	Title: "No secrets in environment variables",
	Description: `Containers must not carry credentials as literal env[].value: anyone who can read the
workload (kubectl get -o yaml, a GitOps repository, an audit log) reads them. A
literal value is refused when it matches a well-known credential format, whatever the
variable's name: an AWS access key id (AKIA/ASIA...), a GitHub token (ghp_, gho_,
ghu_, ghs_, ghr_, github_pat_), a GitLab token (glpat-), a Slack token (xoxa-, xoxb-,
xoxp-, xoxo-, xoxs-, xoxr-), a PEM private key block, a JSON Web Token, a URL with an
embedded password (postgres://app:s3cret@db/app, but not a $(VAR) reference in its
place), or one of additionalValuePatterns. It is also refused when the variable's name
matches secretNamePattern (password, passwd, pwd, pass as the last word as in
SMTP_PASS, secret, token, credential, api key, private key, access key...), unless the name matches allowedNamePattern (settings
about a credential: TOKEN_TTL, SECRET_NAME, PASSWORD_MIN_LENGTH, OAUTH_TOKEN_URL...)
or the value is plainly not the credential: an absolute or ./-relative file path
(PASSWORD_FILE=/run/secrets/db, GOOGLE_APPLICATION_CREDENTIALS=/var/secrets/key.json,
PWD=/app), or exactly one $(VAR) reference to another variable. Empty values, values
that are not strings (the API server refuses them) and valueFrom (secretKeyRef,
configMapKeyRef, fieldRef) pass. Messages name the variable and the rule it matched,
never the value. Applies to containers, initContainers and ephemeralContainers of Pods
and of every workload that creates them.`,
	Version:     "1.1.9",
	Practice:    "Never put passwords in environment variables",
	Bundles:     []string{"hardened"},
	Scope:       spec.ScopeContainer,
	Params:      Params{},
	Defaults:    Params{SecretNamePattern: DefaultSecretNamePattern, AllowedNamePattern: DefaultAllowedNamePattern},
	Match:       spec.Match{Kinds: spec.Workloads},
	Enforcement: spec.Deny,
	Rego:        rego,
	CEL:         cel,
}
