{{/* The release's name for every object (trimmed to Kubernetes' 63 characters). */}}
{{- define "wharf.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* The labels that pick this release's pods. */}}
{{- define "wharf.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Every object's labels. */}}
{{- define "wharf.labels" -}}
{{ include "wharf.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* True when nothing lives on the pod's disk: blobs in S3 and metadata in PostgreSQL. */}}
{{- define "wharf.stateless" -}}
{{- if and (eq .Values.storage.driver "S3") (eq .Values.metadata.driver "PostgreSql") -}}true{{- end -}}
{{- end -}}

{{/* The Secret whose keys become environment variables, if any. */}}
{{- define "wharf.secretName" -}}
{{- if .Values.existingSecret -}}
{{- .Values.existingSecret -}}
{{- else if .Values.secretEnv -}}
{{- include "wharf.fullname" . -}}
{{- end -}}
{{- end -}}

{{/* Shutdown:DrainTime as a TimeSpan (hh:mm:ss) from drainSeconds. */}}
{{- define "wharf.drainTime" -}}
{{- $seconds := int .Values.drainSeconds -}}
{{- printf "%02d:%02d:%02d" (div $seconds 3600) (div (mod $seconds 3600) 60) (mod $seconds 60) -}}
{{- end -}}

{{/* Refuses settings that cannot work. */}}
{{- define "wharf.validate" -}}
{{- if not (has .Values.storage.driver (list "FileSystem" "S3")) -}}
{{- fail (printf "storage.driver must be FileSystem or S3, not %v" .Values.storage.driver) -}}
{{- end -}}
{{- if not (has .Values.metadata.driver (list "Sqlite" "PostgreSql")) -}}
{{- fail (printf "metadata.driver must be Sqlite or PostgreSql, not %v" .Values.metadata.driver) -}}
{{- end -}}
{{- if and (gt (int .Values.replicaCount) 1) (not (include "wharf.stateless" .)) -}}
{{- fail "replicaCount above 1 needs storage.driver S3 and metadata.driver PostgreSql: the filesystem and SQLite belong to one pod" -}}
{{- end -}}
{{- end -}}
