package vendorapi

import (
	"bytes"
	"cmp"
	"html/template"
	"maps"
	"slices"
	"strings"

	"github.com/danielgtaylor/huma/v2"
)

// The reference page is the OpenAPI document rendered on the server: one
// section per operation with its parameters and the fields of its request
// and response bodies. It has no script and no external asset.

type docPage struct {
	Title, Description, Base string
	Ops                      []docOp
}

type docOp struct {
	ID, Method, Path, Summary, Description string
	Params                                 []docParam
	Request                                []docField
	Responses                              []docResponse
}

type docParam struct {
	Name, In, Type, Description string
	Required                    bool
}

type docResponse struct {
	Status, Description, Schema string
	Fields                      []docField
}

type docField struct {
	Name, Type, Description string
	Required                bool
}

var docsTemplate = template.Must(template.New("docs").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
code,.path{font-family:ui-monospace,monospace}
nav li{list-style:none}
section{border-top:1px solid #ccc;margin-top:2rem}
.m{display:inline-block;min-width:4.5rem;font-weight:bold;font-family:ui-monospace,monospace}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}
th,td{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f4f4f4}
</style></head><body>
<h1>{{.Title}}</h1>
<p>{{.Description}}</p>
<p>Base URL: <code>{{.Base}}</code>. The machine-readable document: <a href="openapi.json">openapi.json</a> (OpenAPI 3.1).</p>
<nav><h2>Operations</h2><ul>
{{range .Ops}}<li><a href="#{{.ID}}"><span class="m">{{.Method}}</span> <span class="path">{{.Path}}</span></a> — {{.Summary}}</li>
{{end}}</ul></nav>
{{range .Ops}}<section id="{{.ID}}">
<h2><span class="m">{{.Method}}</span> <span class="path">{{.Path}}</span></h2>
<p><strong>{{.Summary}}</strong></p>{{with .Description}}<p>{{.}}</p>{{end}}
{{with .Params}}<h3>Parameters</h3><table><tr><th>Name</th><th>In</th><th>Type</th><th>Required</th><th>Description</th></tr>
{{range .}}<tr><td><code>{{.Name}}</code></td><td>{{.In}}</td><td>{{.Type}}</td><td>{{if .Required}}yes{{end}}</td><td>{{.Description}}</td></tr>
{{end}}</table>{{end}}
{{with .Request}}<h3>Request body</h3><table><tr><th>Field</th><th>Type</th><th>Required</th><th>Description</th></tr>
{{range .}}<tr><td><code>{{.Name}}</code></td><td>{{.Type}}</td><td>{{if .Required}}yes{{end}}</td><td>{{.Description}}</td></tr>
{{end}}</table>{{end}}
<h3>Responses</h3>
{{range .Responses}}<h4>{{.Status}} — {{.Description}}{{with .Schema}} (<code>{{.}}</code>){{end}}</h4>
{{with .Fields}}<table><tr><th>Field</th><th>Type</th><th>Required</th><th>Description</th></tr>
{{range .}}<tr><td><code>{{.Name}}</code></td><td>{{.Type}}</td><td>{{if .Required}}yes{{end}}</td><td>{{.Description}}</td></tr>
{{end}}</table>{{end}}{{end}}
</section>
{{end}}</body></html>
`))

// renderDocs renders the reference page of a document.
func renderDocs(doc *huma.OpenAPI) ([]byte, error) {
	reg := doc.Components.Schemas
	page := docPage{Title: doc.Info.Title, Description: doc.Info.Description}
	if len(doc.Servers) > 0 {
		page.Base = doc.Servers[0].URL
	}
	for _, path := range slices.Sorted(maps.Keys(doc.Paths)) {
		item := doc.Paths[path]
		for _, op := range []*huma.Operation{item.Get, item.Put, item.Post, item.Patch, item.Delete} {
			if op == nil {
				continue
			}
			o := docOp{ID: op.OperationID, Method: op.Method, Path: path, Summary: op.Summary, Description: op.Description}
			for _, p := range op.Parameters {
				o.Params = append(o.Params, docParam{Name: p.Name, In: p.In, Type: typeName(reg, p.Schema), Required: p.Required, Description: p.Description})
			}
			if op.RequestBody != nil {
				if mt := op.RequestBody.Content["application/json"]; mt != nil {
					o.Request = schemaFields(reg, mt.Schema, "", 0)
				}
			}
			for _, code := range slices.Sorted(maps.Keys(op.Responses)) {
				r := op.Responses[code]
				dr := docResponse{Status: code, Description: r.Description}
				if mt := r.Content["application/json"]; mt != nil && mt.Schema != nil {
					dr.Schema = typeName(reg, mt.Schema)
					if code < "300" { // the error body is the same Status everywhere: its fields once per operation are enough
						dr.Fields = schemaFields(reg, mt.Schema, "", 0)
					}
				}
				o.Responses = append(o.Responses, dr)
			}
			page.Ops = append(page.Ops, o)
		}
	}
	slices.SortStableFunc(page.Ops, func(a, b docOp) int { return cmp.Compare(a.Path, b.Path) })
	var b bytes.Buffer
	if err := docsTemplate.Execute(&b, page); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func deref(reg huma.Registry, s *huma.Schema) *huma.Schema {
	for s != nil && s.Ref != "" {
		s = reg.SchemaFromRef(s.Ref)
	}
	return s
}

// typeName is a schema's type as a reader says it.
func typeName(reg huma.Registry, s *huma.Schema) string {
	if s == nil {
		return ""
	}
	if s.Ref != "" {
		return s.Ref[strings.LastIndex(s.Ref, "/")+1:]
	}
	if len(s.OneOf) > 0 {
		var ts []string
		for _, o := range s.OneOf {
			ts = append(ts, typeName(reg, o))
		}
		return strings.Join(ts, " or ")
	}
	t := s.Type
	if t == "array" {
		t = "array of " + typeName(reg, s.Items)
	}
	if s.Format != "" {
		t += " (" + s.Format + ")"
	}
	if len(s.Enum) > 0 {
		var vs []string
		for _, v := range s.Enum {
			if str, ok := v.(string); ok {
				vs = append(vs, str)
			}
		}
		t += ": " + strings.Join(vs, ", ")
	}
	if s.Nullable {
		t += ", or null"
	}
	return t
}

// schemaFields flattens an object schema into dotted field rows
// ("score.value", "attachments[].url").
func schemaFields(reg huma.Registry, s *huma.Schema, prefix string, depth int) []docField {
	s = deref(reg, s)
	if s == nil || depth > 4 {
		return nil
	}
	var out []docField
	for _, name := range slices.Sorted(maps.Keys(s.Properties)) {
		p := s.Properties[name]
		full := prefix + name
		out = append(out, docField{Name: full, Type: typeName(reg, p), Required: slices.Contains(s.Required, name), Description: cmp.Or(p.Description, deref(reg, p).Description)})
		switch d := deref(reg, p); {
		case d == nil:
		case d.Type == "object":
			out = append(out, schemaFields(reg, d, full+".", depth+1)...)
		case d.Type == "array" && d.Items != nil:
			out = append(out, schemaFields(reg, d.Items, full+"[].", depth+1)...)
		}
	}
	return out
}
