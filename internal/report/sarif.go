package report

import (
	"encoding/json"
	"io"
	"path/filepath"
	"sort"
	"strings"
)

// SARIF writes a SARIF 2.1.0 log: one rule per constraint kind (with the
// template's title, description and documentation link), one result per
// violation located at the file and line of its object, and input problems as
// tool execution notifications.
type SARIF struct {
	// Version is the tool version reported in the log.
	Version string
}

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool        sarifTool         `json:"tool"`
	Invocations []sarifInvocation `json:"invocations"`
	Results     []sarifResult     `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri"`
	Version        string      `json:"version,omitempty"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID               string       `json:"id"`
	Name             string       `json:"name"`
	ShortDescription sarifMessage `json:"shortDescription"`
	FullDescription  sarifMessage `json:"fullDescription"`
	Help             sarifMessage `json:"help"`
	HelpURI          string       `json:"helpUri,omitempty"`
}

type sarifMessage struct {
	Text string `json:"text"`
}

type sarifInvocation struct {
	ExecutionSuccessful        bool                `json:"executionSuccessful"`
	ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications"`
}

type sarifNotification struct {
	Level     string          `json:"level"`
	Message   sarifMessage    `json:"message"`
	Locations []sarifLocation `json:"locations,omitempty"`
}

type sarifResult struct {
	RuleID     string          `json:"ruleId"`
	RuleIndex  int             `json:"ruleIndex"`
	Level      string          `json:"level"`
	Message    sarifMessage    `json:"message"`
	Locations  []sarifLocation `json:"locations"`
	Properties map[string]any  `json:"properties,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine int `json:"startLine"`
}

// sarifLevel maps an enforcement action to a SARIF level.
func sarifLevel(action string) string {
	switch action {
	case "deny":
		return "error"
	case "warn":
		return "warning"
	default:
		return "note"
	}
}

func location(file string, line int) []sarifLocation {
	loc := sarifLocation{PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifact{URI: filepath.ToSlash(file)}}}
	if line > 0 {
		loc.PhysicalLocation.Region = &sarifRegion{StartLine: line}
	}
	return []sarifLocation{loc}
}

// Output implements Outputter.
func (s SARIF) Output(w io.Writer, r *Report) error {
	driver := sarifDriver{Name: "gatewarden", InformationURI: "https://github.com/gatewarden/gatewarden", Version: s.Version, Rules: []sarifRule{}}
	index := map[string]int{}
	rules := append([]Rule(nil), r.Rules...)
	sort.Slice(rules, func(i, j int) bool { return rules[i].ID < rules[j].ID })
	for _, rule := range rules {
		if _, dup := index[rule.ID]; dup {
			continue
		}
		index[rule.ID] = len(driver.Rules)
		help := rule.Description
		if rule.HelpURI != "" {
			help += "\n\nReference: " + rule.HelpURI
		}
		driver.Rules = append(driver.Rules, sarifRule{
			ID: rule.ID, Name: rule.ID,
			ShortDescription: sarifMessage{Text: rule.Title},
			FullDescription:  sarifMessage{Text: orDefault(rule.Description, rule.Title)},
			Help:             sarifMessage{Text: orDefault(strings.TrimSpace(help), rule.Title)},
			HelpURI:          rule.HelpURI,
		})
	}
	run := sarifRun{Tool: sarifTool{Driver: driver}, Results: []sarifResult{}}
	for _, o := range r.Objects {
		for _, v := range o.Violations {
			i, ok := index[v.ConstraintKind]
			if !ok {
				i = len(run.Tool.Driver.Rules)
				index[v.ConstraintKind] = i
				run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule{ID: v.ConstraintKind, Name: v.ConstraintKind,
					ShortDescription: sarifMessage{Text: v.ConstraintKind}, FullDescription: sarifMessage{Text: v.ConstraintKind}, Help: sarifMessage{Text: v.ConstraintKind}})
			}
			run.Results = append(run.Results, sarifResult{
				RuleID: v.ConstraintKind, RuleIndex: i, Level: sarifLevel(v.EnforcementAction),
				Message:   sarifMessage{Text: v.Message},
				Locations: location(o.File, o.Line),
				Properties: map[string]any{
					"constraint": v.ConstraintName, "enforcementAction": v.EnforcementAction,
					"object": objectID(o), "apiVersion": o.APIVersion,
				},
			})
		}
	}
	inv := sarifInvocation{ExecutionSuccessful: r.Summary.Errors == 0, ToolExecutionNotifications: []sarifNotification{}}
	for _, p := range r.Problems {
		level := "error"
		if p.Warning {
			level = "warning"
		}
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, sarifNotification{
			Level: level, Message: sarifMessage{Text: p.Message}, Locations: location(p.File, p.Line)})
	}
	run.Invocations = []sarifInvocation{inv}
	log := sarifLog{
		Schema:  "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
		Version: "2.1.0",
		Runs:    []sarifRun{run},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(log)
}

func orDefault(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}
