{{/* Chart name, truncated to the 63 characters Kubernetes allows in names and label values. */}}
{{- define "execution-poller.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Fully qualified name; the release name alone when it already contains the chart name. */}}
{{- define "execution-poller.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "execution-poller.managementName" -}}
{{- printf "%s-management" (include "execution-poller.fullname" . | trunc 52 | trimSuffix "-") }}
{{- end }}

{{- define "execution-poller.selectorLabels" -}}
app.kubernetes.io/name: {{ include "execution-poller.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "execution-poller.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "execution-poller.selectorLabels" . }}
app.kubernetes.io/version: {{ regexReplaceAll "[^A-Za-z0-9._-]+" (toString .Values.image.tag) "_" | trunc 63 | trimAll "-_." | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "execution-poller.image" -}}
{{- $repository := required "image.repository is required: the registry and repository of the image built from deploy/Dockerfile" .Values.image.repository }}
{{- $tag := required "image.tag is required: pin the image version to deploy" .Values.image.tag }}
{{- printf "%s:%s" $repository $tag }}
{{- end }}

{{/* Name of the Secret holding the credentials: the existing one, or the one this chart creates. */}}
{{- define "execution-poller.secretName" -}}
{{- if .Values.secret.existingSecret }}
{{- .Values.secret.existingSecret }}
{{- else }}
{{- include "execution-poller.fullname" . }}
{{- end }}
{{- end }}

{{/* True when the chart creates the Secret; fails when an existing Secret and values are both given. */}}
{{- define "execution-poller.createSecret" -}}
{{- $s := .Values.secret }}
{{- $given := or $s.databaseUsername $s.databasePassword $s.amcClientId $s.amcClientSecret $s.amcRefreshToken $s.viewerTokens $s.operatorTokens }}
{{- if $s.existingSecret }}
{{- if $given }}
{{- fail "secret: set either secret.existingSecret or the credential values, not both" }}
{{- end }}
{{- else -}}
true
{{- end }}
{{- end }}

{{- define "execution-poller.databaseAddress" -}}
{{- $host := required "database.host is required: the PostgreSQL server host name" .Values.database.host }}
{{- printf "%s:%v/%s" $host .Values.database.port .Values.database.name }}
{{- end }}
