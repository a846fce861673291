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
{{/* Label of the pods that send mail (the in-cluster Mailpit admits them). */}}
{{- define "aup.mailClientLabel" -}}
auth-user-platform/mail-client: "true"
{{- end -}}

{{/*
Image reference of any container of the chart: imageRegistry (with or without its trailing slash),
the repository and the tag (the chart's appVersion when empty). Call with
(dict "root" $ "image" .Values.auth.image).
*/}}
{{- define "aup.image" -}}
{{- $registry := .root.Values.imageRegistry | trimSuffix "/" -}}
{{- $ref := printf "%s:%s" .image.repository (.image.tag | default .root.Chart.AppVersion | toString) -}}
{{- if $registry }}{{ printf "%s/%s" $registry $ref }}{{ else }}{{ $ref }}{{ end -}}
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

{{/*
Fails the render when the signing keys cannot work: none in production without a Secret of one's
own, a value that is not JSON or not private Ed25519 JWKs each with a kid (what the auth service
accepts), or an auth.signingKid that is none of their kids. Renders nothing.
*/}}
{{- define "aup.checkSigningKeys" -}}
{{- $v := .Values -}}
{{- $raw := $v.secrets.jwtPrivateKeys | toString | trim -}}
{{- $shape := "secrets.jwtPrivateKeys must be a JSON array of private Ed25519 JWKs, each with a kid (`npm run keygen`; pass the file with --set-file secrets.jwtPrivateKeys=keys.json)" -}}
{{- if $raw -}}
{{- $keys := list -}}
{{- if hasPrefix "[" $raw -}}
{{- $keys = fromJsonArray $raw -}}
{{- if and (eq (len $keys) 1) (kindIs "string" (first $keys)) -}}
{{- fail (printf "secrets.jwtPrivateKeys is not JSON (%s): %s" (first $keys) $shape) -}}
{{- end -}}
{{- else -}}
{{- $key := fromJson $raw -}}
{{- if hasKey $key "Error" -}}
{{- fail (printf "secrets.jwtPrivateKeys is not JSON (%s): %s" (get $key "Error") $shape) -}}
{{- end -}}
{{- $keys = list $key -}}
{{- end -}}
{{- if not $keys -}}
{{- fail (printf "%s; it is empty" $shape) -}}
{{- end -}}
{{- $kids := list -}}
{{- range $keys -}}
{{- if not (and (kindIs "map" .) (eq (get . "kty" | toString) "OKP") (eq (get . "crv" | toString) "Ed25519") (hasKey . "d") (kindIs "string" (get . "d")) (hasKey . "x") (kindIs "string" (get . "x")) (kindIs "string" (get . "kid")) (get . "kid")) -}}
{{- fail $shape -}}
{{- end -}}
{{- $kids = append $kids (get . "kid") -}}
{{- end -}}
{{- if and $v.auth.signingKid (not (has $v.auth.signingKid $kids)) -}}
{{- fail (printf "auth.signingKid %q is not the kid of any key in secrets.jwtPrivateKeys (%s)" $v.auth.signingKid (join ", " $kids)) -}}
{{- end -}}
{{- else if and (eq $v.config.nodeEnv "production") (not $v.secrets.existingSecret) -}}
{{- fail "secrets.jwtPrivateKeys is required when config.nodeEnv is production: the auth service signs its tokens with them (`npm run keygen`; pass the file with --set-file secrets.jwtPrivateKeys=keys.json), or name a Secret holding them in secrets.existingSecret" -}}
{{- end -}}
{{- end -}}

{{/* The auth service's environment (the service and its migrations). */}}
{{- define "aup.authEnv" -}}
{{- $v := .Values -}}
{{- include "aup.checkSigningKeys" . -}}
{{- if and (eq $v.config.nodeEnv "production") (not $v.secrets.existingSecret) (not $v.secrets.mfaEncryptionKeys) -}}
{{- fail "secrets.mfaEncryptionKeys is required when config.nodeEnv is production: the auth service seals TOTP secrets with it ({\"current\": \"k1\", \"keys\": {\"k1\": \"<32 random bytes in base64>\"}}; see .env.example), or name a Secret holding MFA_ENCRYPTION_KEYS in secrets.existingSecret" -}}
{{- end -}}
{{ include "aup.sharedEnv" (dict "root" . "service" "auth") }}
- name: PORT
  value: {{ $v.auth.port | quote }}
- name: MANAGEMENT_PORT
  value: {{ $v.auth.managementPort | quote }}
{{- /* Required in production: a Secret of one's own without the key stops the pod from starting. */}}
{{ include "aup.secretEnv" (dict "root" . "name" "JWT_PRIVATE_KEYS" "key" $v.secretKeys.jwtPrivateKeys "optional" (ne $v.config.nodeEnv "production")) }}
{{ include "aup.secretEnv" (dict "root" . "name" "MFA_ENCRYPTION_KEYS" "key" $v.secretKeys.mfaEncryptionKeys "optional" (ne $v.config.nodeEnv "production")) }}
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
{{- /* A separate courier delivers the mails; without it the service does. */}}
- name: COURIER_IN_PROCESS
  value: {{ ternary "false" "true" $v.courier.enabled | quote }}
{{- with include "aup.mailEnv" . | trim }}{{ . | nindent 0 }}{{ end }}
{{- include "aup.recoveryEnv" . | trim | nindent 0 }}
{{- with include "aup.webauthnEnv" . | trim }}{{ . | nindent 0 }}{{ end }}
{{- range $name, $value := $v.auth.env }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- end -}}

{{/* Account recovery settings of the auth service; empty values leave the service's defaults. */}}
{{- define "aup.recoveryEnv" -}}
{{- $r := .Values.auth.recovery -}}
- name: APP_BASE_URL
  value: {{ required "auth.recovery.appBaseUrl is required: the public origin of the application, which the links in mails point at (APP_BASE_URL), e.g. https://app.example.com" $r.appBaseUrl | quote }}
- name: EMAIL_VERIFICATION
  value: {{ $r.emailVerification | quote }}
{{- range $name, $value := dict
  "RESET_PASSWORD_PATH" $r.resetPasswordPath
  "VERIFY_EMAIL_PATH" $r.verifyEmailPath
  "RESET_TOKEN_TTL_MINUTES" $r.resetTokenTtlMinutes
  "VERIFY_TOKEN_TTL_HOURS" $r.verifyTokenTtlHours
  "FORGOT_PASSWORD_RATE_PER_IP" $r.forgotPasswordRatePerIp
  "MAIL_TOKEN_RATE_PER_IP" $r.mailTokenRatePerIp
  "MAIL_RATE_PER_ADDRESS" $r.mailRatePerAddress }}
{{- if ne (toString $value) "" }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- end }}
{{- end -}}

{{/* The passkeys' relying party; empty values leave the service's defaults (APP_BASE_URL's origin). */}}
{{- define "aup.webauthnEnv" -}}
{{- $w := .Values.auth.webauthn -}}
{{- with $w.origins }}
- name: WEBAUTHN_ORIGINS
  value: {{ join "," . | quote }}
{{- end }}
{{- range $name, $value := dict
  "WEBAUTHN_RP_ID" $w.rpId
  "WEBAUTHN_RP_NAME" $w.rpName
  "WEBAUTHN_CHALLENGE_TTL_SECONDS" $w.challengeTtlSeconds
  "PASSKEY_LOGIN_RATE_PER_IP" $w.passkeyLoginRatePerIp }}
{{- if ne (toString $value) "" }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- end }}
{{- end -}}

{{/* "true" when the mails go to the in-cluster Mailpit (mail.smtp names no server of its own). */}}
{{- define "aup.mailpitDelivers" -}}
{{- if and .Values.mailpit.enabled (not .Values.mail.smtp.existingSecret) (not .Values.mail.smtp.url) -}}
true
{{- end -}}
{{- end -}}

{{/* Where the CA file of the SMTP server is mounted (mail.smtp.caSecret). */}}
{{- define "aup.smtpCaDir" -}}/etc/smtp-ca{{- end -}}

{{/*
Mail settings of whoever delivers (the courier, or the auth service itself). SMTP_URL comes from
mail.smtp.existingSecret, else from the chart's Secret (mail.smtp.url), else from the in-cluster
Mailpit, else from secrets.existingSecret (key secretKeys.smtpUrl).
*/}}
{{- define "aup.mailEnv" -}}
{{- $v := .Values -}}
{{- $mail := $v.mail -}}
{{- $smtp := $mail.smtp -}}
{{- $production := eq $v.config.nodeEnv "production" -}}
{{- if $smtp.existingSecret }}
- name: SMTP_URL
  valueFrom:
    secretKeyRef:
      name: {{ $smtp.existingSecret }}
      key: {{ $smtp.existingSecretKey }}
{{- else if $smtp.url }}
{{- if $v.secrets.existingSecret }}
{{- fail "mail.smtp.url is kept in the chart's Secret, which is not rendered with secrets.existingSecret: put SMTP_URL into that Secret, or name a Secret of its own in mail.smtp.existingSecret" }}
{{- end }}
{{ include "aup.secretEnv" (dict "root" . "name" "SMTP_URL" "key" $v.secretKeys.smtpUrl) }}
{{- else if include "aup.mailpitDelivers" . }}
- name: SMTP_URL
  value: {{ printf "smtp://%s-mailpit:1025" (include "aup.fullname" .) | quote }}
{{- else if $v.secrets.existingSecret }}
{{ include "aup.secretEnv" (dict "root" . "name" "SMTP_URL" "key" $v.secretKeys.smtpUrl "optional" (not $production)) }}
{{- else if $production }}
{{- fail "mail.smtp.url is required when config.nodeEnv is production (or mail.smtp.existingSecret; or, for development, mailpit.enabled)" }}
{{- end }}
{{- with $smtp.caSecret }}
- name: SMTP_CA_FILE
  value: {{ printf "%s/%s" (include "aup.smtpCaDir" $) $smtp.caSecretKey | quote }}
{{- end }}
{{- if $production }}
- name: MAIL_FROM
  value: {{ required "mail.from is required when config.nodeEnv is production: the From of every mail, e.g. Example <no-reply@example.com>" $mail.from | quote }}
{{- else if $mail.from }}
- name: MAIL_FROM
  value: {{ $mail.from | quote }}
{{- end }}
{{- with $mail.maxAttempts }}
- name: MAIL_MAX_ATTEMPTS
  value: {{ . | quote }}
{{- end }}
{{- with $mail.pollMs }}
- name: COURIER_POLL_MS
  value: {{ . | quote }}
{{- end }}
{{- end -}}

{{/* The courier's environment: the database and the mail settings (no signing keys, no broker). */}}
{{- define "aup.courierEnv" -}}
{{- $v := .Values -}}
- name: NODE_ENV
  value: {{ $v.config.nodeEnv | quote }}
- name: LOG_LEVEL
  value: {{ $v.config.logLevel | quote }}
- name: DATA_DIR
  value: /app/data
- name: COURIER_PORT
  value: {{ $v.courier.port | quote }}
- name: DATABASE_POOL_SIZE
  value: {{ $v.config.databasePoolSize | quote }}
- name: DATABASE_TIMEOUT_MS
  value: {{ $v.config.databaseTimeoutMs | quote }}
- name: SHUTDOWN_GRACE_MS
  value: {{ $v.config.shutdownGraceMs | quote }}
{{ include "aup.secretEnv" (dict "root" . "name" "DATABASE_URL" "key" $v.secretKeys.authDatabaseUrl) }}
{{- with include "aup.mailEnv" . | trim }}{{ . | nindent 0 }}{{ end }}
{{- end -}}

{{/* The CA of the SMTP server (mail.smtp.caSecret), for the pods that deliver mail. */}}
{{- define "aup.smtpCaVolumeMount" -}}
{{- if .Values.mail.smtp.caSecret }}
- name: smtp-ca
  mountPath: {{ include "aup.smtpCaDir" . }}
  readOnly: true
{{- end }}
{{- end -}}

{{- define "aup.smtpCaVolume" -}}
{{- with .Values.mail.smtp.caSecret }}
- name: smtp-ca
  secret:
    secretName: {{ . }}
    items:
      - key: {{ $.Values.mail.smtp.caSecretKey }}
        path: {{ $.Values.mail.smtp.caSecretKey }}
{{- end }}
{{- end -}}

{{/*
The environment of the commands that only work on a database (the cleanup, the migrations): the
database and logging, no signing keys, no SMTP, no broker. `root`, and `key`: the Secret's key of the
database URL.
*/}}
{{- define "aup.databaseEnv" -}}
{{- $v := .root.Values -}}
- name: NODE_ENV
  value: {{ $v.config.nodeEnv | quote }}
- name: LOG_LEVEL
  value: {{ $v.config.logLevel | quote }}
- name: DATA_DIR
  value: /app/data
- name: DATABASE_TIMEOUT_MS
  value: {{ $v.config.databaseTimeoutMs | quote }}
{{ include "aup.secretEnv" (dict "root" .root "name" "DATABASE_URL" "key" .key) }}
{{- end -}}

{{/* The user service's environment (the service and its migrations). */}}
{{- define "aup.userEnv" -}}
{{- $v := .Values -}}
{{ include "aup.sharedEnv" (dict "root" . "service" "user") }}
- name: PORT
  value: {{ $v.user.port | quote }}
- name: MANAGEMENT_PORT
  value: {{ $v.user.managementPort | quote }}
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

{{/*
An init container that waits, from the service's image, until its database answers ("database") or
its schema has every migration applied ("schema"): files/wait-for-database.mjs. Call with
(dict "root" $ "component" "auth" "mode" "schema").
*/}}
{{- define "aup.waitForDatabase" -}}
{{- $v := .root.Values -}}
{{- $svc := index $v .component -}}
{{- $module := ternary "/app/services/auth/dist/data/data-source.js" "/app/services/user/dist/data/store.js" (eq .component "auth") -}}
{{- $factory := ternary "authDataSource" "userDataSource" (eq .component "auth") -}}
{{- $key := ternary $v.secretKeys.authDatabaseUrl $v.secretKeys.userDatabaseUrl (eq .component "auth") -}}
- name: wait-for-{{ .mode }}
  image: {{ include "aup.image" (dict "root" .root "image" $svc.image) }}
  imagePullPolicy: {{ $svc.image.pullPolicy }}
  args: ["node", "--input-type=module", "-e", {{ .root.Files.Get "files/wait-for-database.mjs" | quote }}, {{ .mode | quote }}, {{ $module | quote }}, {{ $factory | quote }}]
  env:
    {{- include "aup.databaseEnv" (dict "root" .root "key" $key) | nindent 4 }}
  resources:
    {{- toYaml $v.migrations.resources | nindent 4 }}
  securityContext:
    {{- include "aup.containerSecurityContext" (dict "root" .root) | nindent 4 }}
  volumeMounts:
    {{- include "aup.volumeMounts" .root | nindent 4 }}
{{- end -}}
