{{/* Names, labels and the parts every Relais container shares. Only the template functions listed in
tests/support/helm-template.ts are used, so that tests render the chart without helm. */}}

{{/* <release>-relais, or the release's name alone when it says relais already. */}}
{{- define "relais.fullname" -}}
{{- if contains "relais" .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-relais" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "relais.labels" -}}
app.kubernetes.io/name: relais
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "relais.secretName" -}}
{{- default (include "relais.fullname" .) .Values.secret.existingSecret -}}
{{- end -}}

{{- define "relais.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* The pod-level security settings: a non-root user, its files' group, no service account token. */}}
{{- define "relais.podSecurity" -}}
automountServiceAccountToken: false
securityContext:
  runAsNonRoot: true
  runAsUser: 1000
  runAsGroup: 1000
  fsGroup: 1000
  seccompProfile:
    type: RuntimeDefault
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
{{- range . }}
  - name: {{ . }}
{{- end }}
{{- end }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* The container-level security settings: read-only root filesystem, no privilege, no capability. */}}
{{- define "relais.containerSecurity" -}}
securityContext:
  readOnlyRootFilesystem: true
  allowPrivilegeEscalation: false
  capabilities:
    drop:
      - ALL
{{- end -}}

{{/* The environment of every Relais container: settings from values, connection strings from the Secret. */}}
{{- define "relais.env" -}}
- name: NODE_ENV
  value: production
- name: HOST
  value: 0.0.0.0
- name: PORT
  value: "3000"
- name: RELAIS_DATA_DIR
  value: /data
- name: RELAIS_ORIGIN
  value: {{ required "relais.origin is required (https://your.host)" .Values.relais.origin | quote }}
- name: RELAIS_TRUST_PROXY
  value: {{ .Values.relais.trustProxy | quote }}
- name: RELAIS_LOG_LEVEL
  value: {{ .Values.relais.logLevel | quote }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "relais.secretName" . }}
      key: DATABASE_URL
- name: REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "relais.secretName" . }}
      key: REDIS_URL
      optional: true
- name: RELAIS_METRICS_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ include "relais.secretName" . }}
      key: RELAIS_METRICS_TOKEN
      optional: true
{{- if .Values.metrics.enabled }}
- name: RELAIS_METRICS_PORT
  value: {{ .Values.metrics.port | quote }}
- name: RELAIS_METRICS_HOST
  value: 0.0.0.0
{{- end }}
{{- range $name, $value := .Values.relais.env }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- range $name, $value := .Values.secret.extra }}
- name: {{ $name }}
  valueFrom:
    secretKeyRef:
      name: {{ include "relais.secretName" $ }}
      key: {{ $name }}
{{- end }}
{{- end -}}

{{/* Volumes of web and worker pods: /tmp, and /data holding the shared media. */}}
{{- define "relais.volumes" -}}
- name: tmp
  emptyDir: {}
- name: data
{{- if .Values.media.existingClaim }}
  persistentVolumeClaim:
    claimName: {{ .Values.media.existingClaim }}
{{- else if .Values.media.persistentVolumeClaim.create }}
  persistentVolumeClaim:
    claimName: {{ include "relais.fullname" . }}-media
{{- else }}
  emptyDir: {}
{{- end }}
{{- end -}}

{{- define "relais.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
- name: data
  mountPath: /data
{{- end -}}

{{/* Changes when the chart's Secret values change, so that the pods restart with them. */}}
{{- define "relais.secretChecksum" -}}
{{- printf "%s|%s|%s|%s|%s" .Values.secret.existingSecret .Values.secret.databaseUrl .Values.secret.redisUrl .Values.secret.metricsToken (toYaml .Values.secret.extra) | sha256sum | trunc 16 | quote -}}
{{- end -}}

{{/* The annotations of web and worker pods: the Secret's checksum, scraping, the operator's own. */}}
{{- define "relais.podAnnotations" -}}
checksum/secret: {{ include "relais.secretChecksum" . }}
{{- if and .Values.metrics.enabled .Values.metrics.scrapeAnnotations }}
prometheus.io/scrape: "true"
prometheus.io/port: {{ .Values.metrics.port | quote }}
prometheus.io/path: /metrics
{{- end }}
{{- with .Values.podAnnotations }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* The metrics port of web and worker containers (when metrics are on). */}}
{{- define "relais.metricsPort" -}}
- name: metrics
  containerPort: {{ .Values.metrics.port }}
  protocol: TCP
{{- end -}}
