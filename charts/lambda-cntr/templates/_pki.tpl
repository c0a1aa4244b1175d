{{/*
The certificates, as a dict of base64 PEM (the Secrets' data) and the CAs' hash:

  servingCa, servingCrt, servingKey   the gateway's serving certificate for
                                      lambda-cntr-gateway.NS.svc; servingCa is the APIService's
                                      caBundle
  agentCa, agentCrt, agentKey         the node agents' server certificate; agentCa is what the
                                      gateway trusts for them
  clientCa, clientCrt, clientKey      the gateway's client certificate; clientCa is the only CA the
                                      node agents accept clients of

Three CAs where `lambda-cntr install` has one (cli/.../install/ServerPki.java): Helm's
genSignedCert gives every certificate both server- and client-auth usage, so under one CA the node
agents would accept their own certificate (on every node) or the serving one as a client. Each CA
here signs one certificate and its key is not kept: the node agents accept the gateway's client
certificate and nothing else, and the gateway trusts the node agents' certificate only.

An upgrade keeps the three Secrets as they are (lookup) unless rotateCertificates is true or one of
them is missing or incomplete: then all are made anew. (`helm template` and a client-side dry run
see no cluster, so they always show new ones.)
*/}}
{{- define "lambda-cntr.pki" -}}
{{- $ns := include "lambda-cntr.namespace" . -}}
{{- $serving := (lookup "v1" "Secret" $ns "lambda-cntr-gateway-serving").data | default dict -}}
{{- $client := (lookup "v1" "Secret" $ns "lambda-cntr-gateway-agent-client").data | default dict -}}
{{- $agent := (lookup "v1" "Secret" $ns "lambda-cntr-node-agent-tls").data | default dict -}}
{{- $keys := list "tls.crt" "tls.key" "ca.crt" -}}
{{- $complete := true -}}
{{- range $data := list $serving $client $agent -}}
{{- range $key := $keys -}}
{{- if not (index $data $key) -}}
{{- $complete = false -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- $pki := dict -}}
{{- if and $complete (not .Values.rotateCertificates) -}}
{{- $pki = dict
      "servingCa" (index $serving "ca.crt") "servingCrt" (index $serving "tls.crt") "servingKey" (index $serving "tls.key")
      "agentCa" (index $client "ca.crt") "agentCrt" (index $agent "tls.crt") "agentKey" (index $agent "tls.key")
      "clientCa" (index $agent "ca.crt") "clientCrt" (index $client "tls.crt") "clientKey" (index $client "tls.key") -}}
{{- else -}}
{{- $caDays := 3650 -}}
{{- $leafDays := 825 -}}
{{- $host := printf "lambda-cntr-gateway.%s.svc" $ns -}}
{{- $servingCa := genCAWithKey "lambda-cntr gateway serving CA" $caDays (genPrivateKey "ecdsa") -}}
{{- $servingCrt := genSignedCertWithKey "lambda-cntr-gateway" nil (list $host (printf "%s.cluster.local" $host) (printf "lambda-cntr-gateway.%s" $ns)) $leafDays $servingCa (genPrivateKey "ecdsa") -}}
{{- $agentCa := genCAWithKey "lambda-cntr node agent CA" $caDays (genPrivateKey "ecdsa") -}}
{{- $agentCrt := genSignedCertWithKey "lambda-cntr-node-agent" nil (list (printf "lambda-cntr-node-agent.%s" $ns)) $leafDays $agentCa (genPrivateKey "ecdsa") -}}
{{- $clientCa := genCAWithKey "lambda-cntr gateway client CA" $caDays (genPrivateKey "ecdsa") -}}
{{- $clientCrt := genSignedCertWithKey "lambda-cntr-gateway" nil nil $leafDays $clientCa (genPrivateKey "ecdsa") -}}
{{- $pki = dict
      "servingCa" ($servingCa.Cert | b64enc) "servingCrt" ($servingCrt.Cert | b64enc) "servingKey" ($servingCrt.Key | b64enc)
      "agentCa" ($agentCa.Cert | b64enc) "agentCrt" ($agentCrt.Cert | b64enc) "agentKey" ($agentCrt.Key | b64enc)
      "clientCa" ($clientCa.Cert | b64enc) "clientCrt" ($clientCrt.Cert | b64enc) "clientKey" ($clientCrt.Key | b64enc) -}}
{{- end -}}
{{- $_ := set $pki "caHash" (printf "%s%s%s" (b64dec $pki.servingCa) (b64dec $pki.agentCa) (b64dec $pki.clientCa) | sha256sum) -}}
{{- toYaml $pki -}}
{{- end -}}
