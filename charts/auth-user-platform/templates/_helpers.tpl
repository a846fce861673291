{{/* Names */}}
{{- define "aup.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "aup.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Labels; call with (dict "root" $ "component" "auth") */}}
{{- define "aup.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: {{ include "aup.name" .root }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
{{ include "aup.selectorLabels" . }}
{{- end -}}

{{- define "aup.selectorLabels" -}}
app.kubernetes.io/name: {{ include "aup.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* Label of the pods the database and broker network policies admit. */}}
{{- define "aup.databaseClientLabel" -}}
auth-user-platform/database-client: "true"
{{- end -}}
{{- define "aup.brokerClientLabel" -}}
auth-user-platform/broker-client: "true"
{{- end -}}

{{/* Image of a service; call with (dict "root" $ "image" .Values.auth.image) */}}
{{- define "aup.image" -}}
{{- printf "%s%s:%s" .root.Values.imageRegistry .image.repository (.image.tag | default .root.Chart.AppVersion | toString) -}}
{{- end -}}

{{- define "aup.secretName" -}}
{{- .Values.secrets.existingSecret | default (include "aup.fullname" .) -}}
{{- end -}}

{{- define "aup.serviceAccountName" -}}
{{- include "aup.fullname" . -}}
{{- end -}}

{{/* Pod-level settings shared by every pod of the chart; call with (dict "root" $ "runAsUser" 10001) */}}
{{- define "aup.podSecurityContext" -}}
{{- $ctx := deepCopy .root.Values.podSecurityContext -}}
{{- if .runAsUser -}}
{{- $_ := set $ctx "runAsUser" .runAsUser -}}
{{- $_ := set $ctx "runAsGroup" .runAsUser -}}
{{- $_ := set $ctx "fsGroup" .runAsUser -}}
{{- end -}}
{{- toYaml $ctx -}}
{{- end -}}

{{- define "aup.containerSecurityContext" -}}
{{- $ctx := deepCopy .root.Values.containerSecurityContext -}}
{{- $_ := set $ctx "runAsUser" (.runAsUser | default .root.Values.podSecurityContext.runAsUser) -}}
{{- toYaml $ctx -}}
{{- end -}}

{{- define "aup.scheduling" -}}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/*
terminationGracePeriodSeconds: the preStop sleep, then SHUTDOWN_GRACE_MS for in-flight work, then
a margin before the kubelet's SIGKILL.
*/}}
{{- define "aup.terminationGracePeriodSeconds" -}}
{{- add (int .Values.preStopSleepSeconds) (div (add (int .Values.config.shutdownGraceMs) 999) 1000) 5 -}}
{{- end -}}

{{- define "aup.secretEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ include "aup.secretName" .root }}
      key: {{ .key }}
      {{- if .optional }}
      optional: true
      {{- end }}
{{- end -}}

{{/* Environment both services read; call with (dict "root" $ "service" "auth") */}}
{{- define "aup.sharedEnv" -}}
{{- $v := .root.Values -}}
- name: NODE_ENV
  value: {{ $v.config.nodeEnv | quote }}
- name: LOG_LEVEL
  value: {{ $v.config.logLevel | quote }}
- name: DATA_DIR
  value: /app/data
- name: MIGRATE_ON_START
  value: "false"
- name: DATABASE_POOL_SIZE
  value: {{ $v.config.databasePoolSize | quote }}
- name: DATABASE_TIMEOUT_MS
  value: {{ $v.config.databaseTimeoutMs | quote }}
- name: SHUTDOWN_GRACE_MS
  value: {{ $v.config.shutdownGraceMs | quote }}
- name: SHUTDOWN_DELAY_MS
  value: {{ $v.config.shutdownDelayMs | quote }}
- name: JWT_ISSUER
  value: {{ $v.config.jwtIssuer | quote }}
- name: JWT_AUDIENCE
  value: {{ $v.config.jwtAudience | quote }}
- name: AMQP_QUEUE
  value: {{ $v.config.amqpQueue | quote }}
- name: TRUST_PROXY_HOPS
  value: {{ $v.config.trustProxyHops | quote }}
{{ include "aup.secretEnv" (dict "root" .root "name" "DATABASE_URL" "key" (ternary $v.secretKeys.authDatabaseUrl $v.secretKeys.userDatabaseUrl (eq .service "auth"))) }}
{{ include "aup.secretEnv" (dict "root" .root "name" "AMQP_URL" "key" $v.secretKeys.amqpUrl) }}
{{- end -}}

{{/* The auth service's environment (the service and its migrations). */}}
{{- define "aup.authEnv" -}}
{{- $v := .Values -}}
{{ include "aup.sharedEnv" (dict "root" . "service" "auth") }}
- name: PORT
  value: {{ $v.auth.port | quote }}
{{ include "aup.secretEnv" (dict "root" . "name" "JWT_PRIVATE_KEYS" "key" $v.secretKeys.jwtPrivateKeys "optional" true) }}
{{- /* The CronJob cleans up; without it the service runs the cleanup itself every hour. */}}
- name: CLEANUP_INTERVAL_MINUTES
  value: {{ ternary "0" "60" $v.auth.cleanup.enabled | quote }}
{{- with $v.auth.signingKid }}
- name: JWT_SIGNING_KID
  value: {{ . | quote }}
{{- end }}
{{- if $v.auth.admin.login }}
- name: ADMIN_LOGIN
  value: {{ $v.auth.admin.login | quote }}
- name: ADMIN_EMAIL
  value: {{ $v.auth.admin.email | quote }}
- name: ADMIN_DISPLAY_NAME
  value: {{ $v.auth.admin.displayName | quote }}
{{ include "aup.secretEnv" (dict "root" . "name" "ADMIN_PASSWORD" "key" $v.secretKeys.adminPassword) }}
{{- end }}
{{- range $name, $value := $v.auth.env }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- end -}}

{{/* The cleanup command's environment: the database only (no signing keys, no broker). */}}
{{- define "aup.cleanupEnv" -}}
{{- $v := .Values -}}
- name: NODE_ENV
  value: {{ $v.config.nodeEnv | quote }}
- name: LOG_LEVEL
  value: {{ $v.config.logLevel | quote }}
- name: DATA_DIR
  value: /app/data
- name: DATABASE_TIMEOUT_MS
  value: {{ $v.config.databaseTimeoutMs | quote }}
{{ include "aup.secretEnv" (dict "root" . "name" "DATABASE_URL" "key" $v.secretKeys.authDatabaseUrl) }}
{{- end -}}

{{/* The user service's environment (the service and its migrations). */}}
{{- define "aup.userEnv" -}}
{{- $v := .Values -}}
{{ include "aup.sharedEnv" (dict "root" . "service" "user") }}
- name: PORT
  value: {{ $v.user.port | quote }}
- name: AUTH_JWKS_URL
  value: {{ printf "http://%s-auth:%v/.well-known/jwks.json" (include "aup.fullname" .) $v.auth.port | quote }}
{{- range $name, $value := $v.user.env }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- end -}}

{{- define "aup.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
- name: data
  mountPath: /app/data
{{- end -}}

{{- define "aup.volumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: 64Mi
- name: data
  emptyDir:
    sizeLimit: 64Mi
{{- end -}}
