# Certificates and kubeconfigs of the local test bed, made with openssl; sourced by testbed/up.
# One CA signs everything; a certificate is made only when missing, so `up` is idempotent.

PKI=$STATE/pki

# new_ca NAME: a self-signed CA at PKI/NAME.{key,crt}.
new_ca() {
  [ -s "$PKI/$1.crt" ] && return 0
  openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$PKI/$1.key" -subj "/CN=lambda-cntr-testbed-$1" -days 3650 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
    -out "$PKI/$1.crt" 2>/dev/null
}

# new_cert NAME SUBJECT USAGE [SAN] [CA]: PKI/NAME.{key,crt} signed by CA (default: ca); USAGE is
# clientAuth, serverAuth or both, SAN a subjectAltName list ("IP:10.0.0.1,DNS:name").
new_cert() {
  local name=$1 subject=$2 usage=$3 san=${4:-} ca=${5:-ca} ext
  [ -s "$PKI/$name.crt" ] && return 0
  ext=$(mktemp)
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$usage"
    [ -z "$san" ] || echo "subjectAltName=$san"
  } >"$ext"
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$PKI/$name.key" -subj "$subject" -out "$PKI/$name.csr" 2>/dev/null
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/$ca.crt" -CAkey "$PKI/$ca.key" -CAcreateserial \
    -days 3650 -extfile "$ext" -out "$PKI/$name.crt" 2>/dev/null
  rm -f "$ext" "$PKI/$name.csr"
}

# kubeconfig FILE USER CERT-NAME: a kubeconfig for USER with the client certificate CERT-NAME.
kubeconfig() {
  local file=$1 user=$2 cert=$3
  [ -s "$file" ] && return 0
  cat >"$file" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: lambda-cntr-testbed
  cluster:
    server: https://$APISERVER_IP:$APISERVER_PORT
    certificate-authority-data: $(base64 -w0 "$PKI/ca.crt")
users:
- name: $user
  user:
    client-certificate-data: $(base64 -w0 "$PKI/$cert.crt")
    client-key-data: $(base64 -w0 "$PKI/$cert.key")
contexts:
- name: lambda-cntr-testbed
  context:
    cluster: lambda-cntr-testbed
    user: $user
current-context: lambda-cntr-testbed
EOF
  chmod 600 "$file"
}

make_pki() {
  local i node
  mkdir -p "$PKI" "$STATE/kubeconfigs"
  chmod 700 "$PKI"
  new_ca ca
  # The aggregation layer's CA: the API server proves itself to extension API servers with it.
  new_ca front-proxy-ca
  new_cert front-proxy-client "/CN=front-proxy-client" clientAuth "" front-proxy-ca
  [ -s "$PKI/sa.key" ] || openssl genrsa -out "$PKI/sa.key" 2048 2>/dev/null
  [ -s "$PKI/sa.pub" ] || openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null

  new_cert apiserver "/CN=kube-apiserver" serverAuth \
    "IP:$APISERVER_IP,IP:$KUBERNETES_SERVICE_IP,IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.$CLUSTER_DOMAIN"
  new_cert apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" clientAuth
  new_cert admin "/O=system:masters/CN=lambda-cntr-testbed-admin" clientAuth
  new_cert controller-manager "/CN=system:kube-controller-manager" clientAuth
  new_cert scheduler "/CN=system:kube-scheduler" clientAuth
  new_cert kube-proxy "/CN=system:kube-proxy" clientAuth
  for i in "${!NODES[@]}"; do
    node=${NODES[$i]}
    new_cert "$node" "/O=system:nodes/CN=system:node:$node" clientAuth
    new_cert "$node-serving" "/CN=$node" serverAuth "IP:${NODE_IPS[$i]},DNS:$node"
    kubeconfig "$STATE/kubeconfigs/$node.kubeconfig" "system:node:$node" "$node"
  done

  kubeconfig "$KUBECONFIG_ADMIN" lambda-cntr-testbed-admin admin
  kubeconfig "$STATE/kubeconfigs/controller-manager.kubeconfig" system:kube-controller-manager controller-manager
  kubeconfig "$STATE/kubeconfigs/scheduler.kubeconfig" system:kube-scheduler scheduler
  kubeconfig "$STATE/kubeconfigs/kube-proxy.kubeconfig" system:kube-proxy kube-proxy
}
