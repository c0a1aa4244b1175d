# OCI image layout written by hand (tar, gzip, sha256sum, jq): no registry, no Docker engine.
# Sourced by images/build.

# oci_layer ROOT OUT: packs directory ROOT into the layer OUT.tar.gz and records the uncompressed
# tar's digest (the image config's diff_id) in OUT.diffid. Entries are sorted, owners numeric,
# mtimes kept (the JVM's AOT cache checks the jars' mtimes), file capabilities kept; nothing under
# dev/ proc/ sys/ is packed.
oci_layer() {
  local root=$1 out=$2
  tar -C "$root" --create --file "$out.tar" --sort=name --numeric-owner \
    --xattrs --xattrs-include='security.capability' \
    --exclude=./dev/* --exclude=./proc/* --exclude=./sys/* .
  echo "sha256:$(sha256sum "$out.tar" | cut -d' ' -f1)" >"$out.diffid"
  gzip -n -6 -f "$out.tar"
}

# oci_blob DIR FILE: copies FILE into DIR/blobs/sha256 and prints its descriptor fields
# "DIGEST SIZE".
oci_blob() {
  local layout=$1 file=$2 digest size
  digest=$(sha256sum "$file" | cut -d' ' -f1)
  size=$(stat -c %s "$file")
  mkdir -p "$layout/blobs/sha256"
  cp "$file" "$layout/blobs/sha256/$digest"
  echo "sha256:$digest $size"
}

# oci_archive OUT REF CONFIG_JSON LAYER...: writes the OCI archive OUT (an image layout in a tar)
# holding one image named REF (registry/repository:tag) with the given layers (prefixes made by
# oci_layer, bottom first) and the runtime config CONFIG_JSON (Entrypoint, Cmd, Env, User...).
# The index carries the full name (io.containerd.image.name, for `ctr images import`) and the
# tag (org.opencontainers.image.ref.name, for skopeo's oci-archive:OUT:TAG).
oci_archive() {
  local out=$1 ref=$2 config=$3
  shift 3
  local layout diff_ids='[]' layers='[]' layer desc created
  layout=$(mktemp -d "${out}.layout.XXXXXX")
  created=$(date -u -d @"${SOURCE_DATE_EPOCH:-$(date +%s)}" +%Y-%m-%dT%H:%M:%SZ)
  for layer in "$@"; do
    diff_ids=$(jq -c --arg d "$(cat "$layer.diffid")" '. + [$d]' <<<"$diff_ids")
    read -r digest size < <(oci_blob "$layout" "$layer.tar.gz")
    layers=$(jq -c --arg d "$digest" --argjson s "$size" \
      '. + [{mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: $d, size: $s}]' <<<"$layers")
  done

  jq -n --argjson config "$config" --argjson diff_ids "$diff_ids" --arg created "$created" --arg ref "$ref" '{
      created: $created, architecture: "amd64", os: "linux", config: $config,
      rootfs: {type: "layers", diff_ids: $diff_ids},
      history: [$diff_ids[] | {created: $created, created_by: ("images/build " + $ref)}]
    }' >"$layout/config.json"
  read -r config_digest config_size < <(oci_blob "$layout" "$layout/config.json")

  jq -n --arg cd "$config_digest" --argjson cs "$config_size" --argjson layers "$layers" '{
      schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $cd, size: $cs},
      layers: $layers
    }' >"$layout/manifest.json"
  read -r manifest_digest manifest_size < <(oci_blob "$layout" "$layout/manifest.json")

  jq -n --arg md "$manifest_digest" --argjson ms "$manifest_size" --arg ref "$ref" '{
      schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json",
      manifests: [{
        mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $md, size: $ms,
        platform: {architecture: "amd64", os: "linux"},
        annotations: {"io.containerd.image.name": $ref, "org.opencontainers.image.ref.name": ($ref | sub(".*:"; ""))}
      }]
    }' >"$layout/index.json"
  echo '{"imageLayoutVersion":"1.0.0"}' >"$layout/oci-layout"
  rm "$layout/config.json" "$layout/manifest.json"

  tar -C "$layout" --create --file "$out.tmp" --sort=name --numeric-owner --owner=0 --group=0 \
    oci-layout index.json blobs
  mv "$out.tmp" "$out"
  rm -rf "$layout"
}
