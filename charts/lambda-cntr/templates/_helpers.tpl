{{/* The namespace of the gateway and the node agents. */}}
{{- define "lambda-cntr.namespace" -}}
{{- .Values.namespace | default .Release.Namespace -}}
{{- end -}}

{{/* The debug image: repository:tag, or repository@sha256:... */}}
{{- define "lambda-cntr.image" -}}
{{- $tag := .Values.image.tag | default .Chart.AppVersion -}}
{{- if hasPrefix "sha256:" $tag -}}
{{- printf "%s@%s" .Values.image.repository $tag -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository $tag -}}
{{- end -}}
{{- end -}}

{{/* The labels every object carries (as in manifests/server/). */}}
{{- define "lambda-cntr.labels" -}}
app.kubernetes.io/managed-by: lambda-cntr
{{- end -}}
