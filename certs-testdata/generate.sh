#!/usr/bin/env bash
# Regenerates every fixture in certs-testdata/ (see README.md there for what each is).
#
# Needs bash, the openssl CLI (3.x) and python3 with `cryptography`. Run from anywhere:
#     certs-testdata/generate.sh
#
# Names, subjects and validity dates are fixed, so regenerating changes only keys,
# serials and signatures (and so thumbprints); allowlist.yaml is rewritten from the
# new certificates. Private keys live in a temporary directory and are never written
# here, except the story leaf's inside the .pfx fixtures (password in pfx-password.txt)
# and the two throwaway keys of the tests' local TLS servers (tls-*.key).
# The legacy fixtures (SHA-1, MD5, RSA-1024, PSS-SHA1, repeated OUs) are the reason this
# uses openssl rather than rcgen. The .pfx forms openssl cannot write come from pfx.py,
# which needs Python 3 with the `cryptography` package.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"

mkdir newcerts
touch index.txt
echo 1000 > serial
export SAN="DNS:example.invalid"
export AIA="caIssuers;URI:http://ca.mfgcheck.test/none.cer"

cat > ca.cnf <<'EOF'
[ ca ]
default_ca = CA_default
[ CA_default ]
database = ./index.txt
new_certs_dir = ./newcerts
serial = ./serial
policy = policy_any
unique_subject = no
email_in_dn = yes
copy_extensions = none
[ policy_any ]
countryName = optional
stateOrProvinceName = optional
localityName = optional
organizationName = optional
organizationalUnitName = optional
commonName = optional
serialNumber = optional
[ req ]
distinguished_name = req_dn
[ req_dn ]
[ v3_root ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = none
[ v3_intermediate ]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_leaf ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth,clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = ${ENV::SAN}
[ v3_leaf_noaki ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth,clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = none
subjectAltName = ${ENV::SAN}
[ v3_leaf_noski ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth,clientAuth
subjectKeyIdentifier = none
authorityKeyIdentifier = keyid
subjectAltName = ${ENV::SAN}
[ v3_selfsigned_leaf ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth,clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = none
subjectAltName = ${ENV::SAN}
[ v3_selfsigned_noski ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
subjectKeyIdentifier = none
authorityKeyIdentifier = none
subjectAltName = ${ENV::SAN}
[ v3_aia_intermediate ]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
authorityInfoAccess = ${ENV::AIA}
[ v3_aia_ca ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
authorityInfoAccess = ${ENV::AIA}
[ v3_aia_leaf ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth,clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = ${ENV::SAN}
authorityInfoAccess = ${ENV::AIA}
[ v3_mesh ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = none
authorityKeyIdentifier = none
[ v3_mesh_leaf ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
subjectKeyIdentifier = hash
authorityKeyIdentifier = none
subjectAltName = ${ENV::SAN}
EOF

# key NAME TYPE: TYPE is rsa2048, rsa1024, ec or dsa.
key() {
  case "$2" in
    rsa2048) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1.key" 2>/dev/null ;;
    rsa1024) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out "$1.key" 2>/dev/null ;;
    ec) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" ;;
    dsa)
      openssl genpkey -genparam -algorithm DSA -pkeyopt dsa_paramgen_bits:2048 -out dsa.param 2>/dev/null
      openssl genpkey -paramfile dsa.param -out "$1.key" ;;
  esac
}

# sign NAME SUBJECT ISSUER START END DIGEST EXTENSIONS [extra openssl ca options...]
# ISSUER "self" makes a self-signed certificate. Dates are YYYYMMDDHHMMSSZ.
sign() {
  local name=$1 subj=$2 issuer=$3 start=$4 end=$5 md=$6 ext=$7
  shift 7
  openssl req -new -key "$name.key" -subj "$subj" -out "$name.csr" -config ca.cnf
  local signer=(-cert "$issuer.pem" -keyfile "$issuer.key")
  [ "$issuer" = self ] && signer=(-selfsign -keyfile "$name.key")
  openssl ca -config ca.cnf -batch -notext -preserveDN "${signer[@]}" \
    -in "$name.csr" -out "$name.pem" -startdate "$start" -enddate "$end" -md "$md" \
    -extensions "$ext" "$@" 2>/dev/null
}

out() { cat "$@"; }
der() { openssl x509 -in "$1" -outform DER; }
# Identities of NAME.pem, for the allowlists.
sha1() { openssl x509 -in "$1.pem" -noout -fingerprint -sha1 | cut -d= -f2 | tr -d ':'; }
sha256() { openssl x509 -in "$1.pem" -noout -fingerprint -sha256 | cut -d= -f2 | tr -d ':'; }
spki() { openssl x509 -in "$1.pem" -noout -pubkey | openssl pkey -pubin -outform DER | openssl dgst -sha256 -r | cut -c1-64 | tr a-f A-F; }
ski() { openssl x509 -in "$1.pem" -noout -ext subjectKeyIdentifier | tail -n 1 | tr -d ' :'; }
subject() { openssl x509 -in "$1.pem" -noout -subject -nameopt RFC2253 | sed "s/^subject=//; s/'/''/g"; }
moment() { date -u -d "$(openssl x509 -in "$1.pem" -noout "-$2" | cut -d= -f2)" +%Y-%m-%dT%H:%M:%SZ; }

# ---- Servers the tests start on 127.0.0.1 (mfgcheck --connect) ----------------------------
# A root of its own, a leaf it issues directly and one issued through an intermediate, and
# the two leaves' private keys: throwaway keys for the tests' local TLS servers, nothing else.
# Runs alone with `certs-testdata/generate.sh tls` (the other fixtures stay as they are).
tls_fixtures() {
  key tls-root rsa2048
  sign tls-root "/C=US/O=Test TLS/CN=Test TLS Root CA" self 20200101000000Z 20400101000000Z sha256 v3_root
  key tls-int rsa2048
  sign tls-int "/C=US/O=Test TLS/CN=Test TLS Issuing CA" tls-root 20200101000000Z 20400101000000Z sha256 v3_intermediate
  key tls-leaf rsa2048
  SAN="DNS:localhost,DNS:mail.tls.test" sign tls-leaf "/C=US/O=Test TLS/CN=mail.tls.test" \
    tls-root 20200101000000Z 20390101000000Z sha256 v3_leaf
  key tls-indirect-leaf rsa2048
  SAN="DNS:localhost,DNS:edge.tls.test" sign tls-indirect-leaf "/C=US/O=Test TLS/CN=edge.tls.test" \
    tls-int 20200101000000Z 20390101000000Z sha256 v3_leaf
  for name in tls-root tls-int tls-leaf tls-indirect-leaf; do cp "$name.pem" "$here/$name.pem"; done
  openssl pkey -in tls-leaf.key -out "$here/tls-leaf.key"
  openssl pkey -in tls-indirect-leaf.key -out "$here/tls-indirect-leaf.key"
  {
    echo "# The root the tests' TLS servers chain to, accepted as a direct issuer. Written by"
    echo "# generate.sh; do not edit."
    echo "version: 1"
    echo "authorities:"
    echo "  - name: \"Test TLS Root CA\""
    echo "    subject: '$(subject tls-root)'"
    echo "    certificates:"
    echo "      - sha1: \"$(sha1 tls-root)\""
    echo "        sha256: \"$(sha256 tls-root)\""
    echo "    spki_sha256: \"$(spki tls-root)\""
    echo "    ski: \"$(ski tls-root)\""
    echo "    kind: root"
    echo "    status: accepted"
  } > "$here/tls-allowlist.yaml"
}

# ---- Path graphs: what RFC 5280 path validation decides -------------------------------------
# Small graphs of cross-signed and constrained CAs, each with its own leaf, checked against
# graph-allowlist.yaml (`issuance: chain`, so a path to the listed root is accepted when it is
# valid) and compared with `openssl verify -x509_strict` by bench/peer_paths.sh. All at
# 2011-06-01. Runs alone with `certs-testdata/generate.sh graph`.
graph_fixtures() {
  cat >> ca.cnf <<'EOF2'
[ g_ca ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ g_ca_pathlen0 ]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ g_ca_false ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ g_ca_nobc ]
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ g_ca_nocertsign ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,digitalSignature,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ g_ca_critical ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
1.3.6.1.4.1.55555.7.1 = critical,ASN1:NULL
[ g_leaf_critical ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = ${ENV::SAN}
1.3.6.1.4.1.55555.7.2 = critical,ASN1:NULL
[ g_selfsigned_nobc ]
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth,clientAuth
subjectKeyIdentifier = hash
subjectAltName = ${ENV::SAN}
[ g_lookalike_ca ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = none
EOF2
  local at_start=20100601000000Z at_end=20120601000000Z
  # leaf NAME ISSUER HOST [EXTENSIONS]: a server certificate valid around 2011-06-01.
  leaf() {
    key "$1" rsa2048
    SAN="DNS:$3" sign "$1" "/O=Graph/CN=$3" "$2" $at_start $at_end sha256 "${4:-v3_leaf}"
  }
  # The listed root, current, and the same name and key certified by an older root whose
  # certificates expired on 2010-12-31 (AddTrust External CA Root and the USERTrust cross).
  key g-root rsa2048
  sign g-root "/O=Graph/CN=Graph Root CA" self 20060101000000Z 20300101000000Z sha256 g_ca
  key g-old-root rsa2048
  sign g-old-root "/O=Graph/CN=Graph Old Root" self 20000101000000Z 20101231000000Z sha256 g_ca
  cp g-root.key g-root-cross.key
  sign g-root-cross "/O=Graph/CN=Graph Root CA" g-old-root 20060101000000Z 20101231000000Z sha256 g_ca
  key g-issuing rsa2048
  sign g-issuing "/O=Graph/CN=Graph Issuing CA" g-root 20080101000000Z 20200101000000Z sha256 g_ca
  leaf g-leaf g-issuing cross.graph.example
  # 1. The expired cross-certificate first: the path through the current root must win.
  cat g-leaf.pem g-issuing.pem g-root-cross.pem g-old-root.pem g-root.pem > "$here/graph-cross-expired.pem"

  # 2. An expired copy of the issuing CA signed by the root directly (shorter), and a current
  # copy of the same key under a policy CA (longer, valid).
  key g-policy rsa2048
  sign g-policy "/O=Graph/CN=Graph Policy CA" g-root 20080101000000Z 20200101000000Z sha256 g_ca
  key g-copy rsa2048
  cp g-copy.key g-copy-old.key
  sign g-copy-old "/O=Graph/CN=Graph Copy CA" g-root 20060101000000Z 20101231000000Z sha256 g_ca
  sign g-copy "/O=Graph/CN=Graph Copy CA" g-policy 20080101000000Z 20200101000000Z sha256 g_ca
  leaf g-copy-leaf g-copy copy.graph.example
  cat g-copy-leaf.pem g-copy-old.pem g-root.pem g-copy.pem g-policy.pem > "$here/graph-expired-copy.pem"

  # 3. The same, where the shorter copy is signed with ecdsa-with-SHA1 by an EC root, which
  # mfgcheck cannot verify, and the longer one with ECDSA SHA-256.
  key g-ec-root ec
  sign g-ec-root "/O=Graph/CN=Graph EC Root" self 20060101000000Z 20300101000000Z sha256 g_ca
  key g-ec-policy rsa2048
  sign g-ec-policy "/O=Graph/CN=Graph EC Policy CA" g-ec-root 20080101000000Z 20200101000000Z sha256 g_ca
  key g-ecsha1 rsa2048
  cp g-ecsha1.key g-ecsha1-short.key
  sign g-ecsha1-short "/O=Graph/CN=Graph SHA1 Copy CA" g-ec-root 20080101000000Z 20200101000000Z sha1 g_ca
  sign g-ecsha1 "/O=Graph/CN=Graph SHA1 Copy CA" g-ec-policy 20080101000000Z 20200101000000Z sha256 g_ca
  leaf g-ecsha1-leaf g-ecsha1 ecdsa.graph.example
  cat g-ecsha1-leaf.pem g-ecsha1-short.pem g-ec-root.pem g-ecsha1.pem g-ec-policy.pem > "$here/graph-unverifiable-copy.pem"

  # 4. Issuers that are not CAs: cA=FALSE, no basicConstraints, no keyCertSign.
  local kind
  for kind in false nobc nocertsign; do
    key "g-notca-$kind" rsa2048
    sign "g-notca-$kind" "/O=Graph/CN=Graph Not-a-CA ($kind)" g-root 20080101000000Z 20200101000000Z sha256 "g_ca_$kind"
    leaf "g-notca-$kind-leaf" "g-notca-$kind" "notca-$kind.graph.example"
    cat "g-notca-$kind-leaf.pem" "g-notca-$kind.pem" g-root.pem > "$here/graph-notca-$kind.pem"
  done

  # 5. A pathlen 0 CA with a CA below it.
  key g-pl0 rsa2048
  sign g-pl0 "/O=Graph/CN=Graph Pathlen0 CA" g-root 20080101000000Z 20200101000000Z sha256 g_ca_pathlen0
  key g-below rsa2048
  sign g-below "/O=Graph/CN=Graph Below Pathlen0 CA" g-pl0 20080101000000Z 20200101000000Z sha256 g_ca
  leaf g-below-leaf g-below pathlen.graph.example
  cat g-below-leaf.pem g-below.pem g-pl0.pem g-root.pem > "$here/graph-pathlen.pem"
  # ... and a pathlen 0 CA issuing a leaf directly, which is fine.
  leaf g-pl0-leaf g-pl0 pathlen-ok.graph.example
  cat g-pl0-leaf.pem g-pl0.pem g-root.pem > "$here/graph-pathlen-ok.pem"

  # 6. Unknown critical extensions: on an intermediate, and on a leaf.
  key g-critical rsa2048
  sign g-critical "/O=Graph/CN=Graph Critical CA" g-root 20080101000000Z 20200101000000Z sha256 g_ca_critical
  leaf g-critical-leaf g-critical critical-ca.graph.example
  cat g-critical-leaf.pem g-critical.pem g-root.pem > "$here/graph-critical-ca.pem"
  leaf g-critleaf g-issuing critical-leaf.graph.example g_leaf_critical
  cat g-critleaf.pem g-issuing.pem g-root.pem > "$here/graph-critical-leaf.pem"

  # 7. A v1 root (like VeriSign Class 3 Public Primary), its leaf, and a roots file holding
  # it with an unrelated v1 root; a self-signed certificate without basicConstraints like
  # the one the Exchange wizard makes.
  local v1
  for v1 in g-v1-root g-v1-other; do
    key "$v1" rsa2048
    openssl req -new -key "$v1.key" -subj "/O=Graph/OU=Graph V1 Primary CA ($v1)" -out "$v1.csr" -config ca.cnf
    openssl ca -config ca.cnf -batch -notext -preserveDN -selfsign -keyfile "$v1.key" -in "$v1.csr" \
      -out "$v1.pem" -startdate 19960101000000Z -enddate 20280101000000Z -md sha256 2>/dev/null
  done
  leaf g-v1-leaf g-v1-root v1.graph.example v3_leaf_noaki
  cp g-v1-leaf.pem "$here/graph-v1-leaf.pem"
  cat g-v1-root.pem g-v1-other.pem > "$here/graph-v1-roots.pem"
  key g-wizard rsa2048
  SAN="DNS:Federation" sign g-wizard "/CN=Federation" self $at_start $at_end sha256 g_selfsigned_nobc
  cp g-wizard.pem "$here/graph-wizard-nobc.pem"

  # 8. A same-name signer with another SKI: a leaf whose AKI is the listed issuing CA's,
  # signed by a CA of the same name and its own key identifier, in the input.
  key g-fake rsa2048
  sign g-fake "/O=Graph/CN=Graph Issuing CA" self 20080101000000Z 20200101000000Z sha256 g_lookalike_ca
  cat >> ca.cnf <<EOF2
[ g_forged_aki ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
subjectKeyIdentifier = hash
authorityKeyIdentifier = none
subjectAltName = DNS:fake.graph.example
2.5.29.35 = DER:30:16:80:14:$(ski g-issuing | sed 's/../&:/g; s/:$//')
EOF2
  leaf g-fake-leaf g-fake fake.graph.example g_forged_aki
  cp g-fake-leaf.pem "$here/graph-lookalike-leaf.pem"
  cat g-fake-leaf.pem g-fake.pem > "$here/graph-lookalike-bundle.pem"
  # The real issuing CA's leaf alone: its issuer absent, verified with the listed key.
  cp g-leaf.pem "$here/graph-leaf-alone.pem"

  # 9. The listed root's expired copy alone above a leaf it issued: the list names the
  # current copy (without dates), so the expired one does not decide.
  leaf g-direct-leaf g-root direct.graph.example
  cat g-direct-leaf.pem g-root-cross.pem > "$here/graph-stale-copy.pem"

  # The allowlist of the graphs: the root by thumbprint and key (its current copy without
  # dates), the issuing CA by key with an `added` note, the EC root, the v1 root.
  {
    echo "# Allowlist of the graph-*.pem fixtures. Written by generate.sh; do not edit."
    echo "version: 1"
    echo "issuance: chain"
    echo "authorities:"
    echo "  - name: \"Graph Root CA\""
    echo "    subject: '$(subject g-root)'"
    echo "    certificates:"
    echo "      - sha1: \"$(sha1 g-root)\""
    echo "        note: \"the current copy; dates left out\""
    echo "      - sha1: \"$(sha1 g-root-cross)\""
    echo "        not_before: $(moment g-root-cross startdate)"
    echo "        not_after: $(moment g-root-cross enddate)"
    echo "        note: \"certified by Graph Old Root\""
    echo "    spki: \"$(openssl x509 -in g-root.pem -noout -pubkey | openssl pkey -pubin -outform DER | base64 -w0)\""
    echo "    spki_source: \"generate.sh\""
    echo "    ski: \"$(ski g-root)\""
    echo "    kind: root"
    echo "    status: accepted"
    echo "  - name: \"Graph Issuing CA\""
    echo "    subject: '$(subject g-issuing)'"
    echo "    spki: |"
    openssl x509 -in g-issuing.pem | sed 's/^/      /'
    echo "    ski: \"$(ski g-issuing)\""
    echo "    kind: intermediate"
    echo "    status: accepted"
    echo "    added: \"after a support case, date not published\""
    echo "  - name: \"Graph EC Root\""
    echo "    subject: '$(subject g-ec-root)'"
    echo "    spki_sha256: \"$(spki g-ec-root)\""
    echo "    ski: \"$(ski g-ec-root)\""
    echo "    kind: root"
    echo "    status: accepted"
    echo "  - name: \"Graph V1 Primary CA\""
    echo "    subject: '$(subject g-v1-root)'"
    echo "    sha1: \"$(sha1 g-v1-root)\""
    echo "    kind: root"
    echo "    status: accepted"
  } > "$here/graph-allowlist.yaml"
  # The anchors, for bench/peer_paths.sh: openssl verify -CAfile.
  cp g-root.pem "$here/graph-anchor-root.pem"
  cp g-ec-root.pem "$here/graph-anchor-ec-root.pem"
  cp g-v1-root.pem "$here/graph-anchor-v1-root.pem"
  cp g-issuing.pem "$here/graph-anchor-issuing.pem"
}

if [ "${1:-}" = tls ]; then
  tls_fixtures
  echo "TLS fixtures written to $here"
  exit 0
fi

# ---- Issuers fetched from AIA addresses (--fetch-missing) ----------------------------------
# The tests serve these from an HTTP proxy on 127.0.0.1 (http_proxy), so the addresses
# name a host that never resolves (.test) and no request can leave the machine.
# aia-leaf -> aia-int (http://ca.mfgcheck.test/int.cer) -> aia-root (.../root.cer);
# aia-int.p7c is the intermediate as a PKCS#7 certs-only answer. aia-loop-*: two CAs that
# issued each other, each naming the other's address: a loop of AIA addresses.
# Runs alone with `certs-testdata/generate.sh aia`.
aia_fixtures() {
  local base=http://ca.mfgcheck.test
  key aia-root rsa2048
  sign aia-root "/C=US/O=Test AIA/CN=Test AIA Root CA" self 20200101000000Z 20400101000000Z sha256 v3_root
  key aia-int rsa2048
  AIA="caIssuers;URI:$base/root.cer" sign aia-int "/C=US/O=Test AIA/CN=Test AIA Issuing CA" \
    aia-root 20200101000000Z 20400101000000Z sha256 v3_aia_intermediate
  key aia-leaf rsa2048
  SAN="DNS:mail.aia.test" AIA="caIssuers;URI:$base/int.cer" sign aia-leaf \
    "/C=US/O=Test AIA/CN=mail.aia.test" aia-int 20200101000000Z 20390101000000Z sha256 v3_aia_leaf
  # The loop: B issued by A, then A issued by B (same name and key as the first A).
  key aia-loop-a rsa2048
  sign aia-loop-a "/C=US/O=Test AIA/CN=Test AIA Loop A" self 20200101000000Z 20400101000000Z sha256 v3_root
  key aia-loop-b rsa2048
  AIA="caIssuers;URI:$base/loop-a.cer" sign aia-loop-b "/C=US/O=Test AIA/CN=Test AIA Loop B" \
    aia-loop-a 20200101000000Z 20400101000000Z sha256 v3_aia_ca
  AIA="caIssuers;URI:$base/loop-b.cer" sign aia-loop-a "/C=US/O=Test AIA/CN=Test AIA Loop A" \
    aia-loop-b 20200101000000Z 20400101000000Z sha256 v3_aia_ca
  key aia-loop-leaf rsa2048
  SAN="DNS:loop.aia.test" AIA="caIssuers;URI:$base/loop-a.cer" sign aia-loop-leaf \
    "/C=US/O=Test AIA/CN=loop.aia.test" aia-loop-a 20200101000000Z 20390101000000Z sha256 v3_aia_leaf
  for name in aia-root aia-int aia-leaf aia-loop-a aia-loop-b aia-loop-leaf; do
    cp "$name.pem" "$here/$name.pem"
  done
  openssl crl2pkcs7 -nocrl -certfile aia-int.pem -outform DER -out "$here/aia-int.p7c"
  {
    echo "# The intermediate of the AIA tests, accepted as a direct issuer. Written by"
    echo "# generate.sh; do not edit."
    echo "version: 1"
    echo "authorities:"
    echo "  - name: \"Test AIA Issuing CA\""
    echo "    subject: '$(subject aia-int)'"
    echo "    certificates:"
    echo "      - sha1: \"$(sha1 aia-int)\""
    echo "        sha256: \"$(sha256 aia-int)\""
    echo "    spki_sha256: \"$(spki aia-int)\""
    echo "    ski: \"$(ski aia-int)\""
    echo "    kind: intermediate"
    echo "    status: accepted"
  } > "$here/aia-allowlist.yaml"
}
if [ "${1:-}" = aia ]; then
  aia_fixtures
  echo "AIA fixtures written to $here"
  exit 0
fi
# ---- Hostile PFX: files that ask for more work than any real one -------------------------
# A throwaway self-signed key and certificate (password Fed2010!, as pfx-password.txt says):
# hostile-heavy.pfx runs every derivation at a million iterations (three million in all,
# within the budget, a few seconds of CPU); hostile-bags.pfx adds 1,000 shrouded keys that
# each declare a million iterations and hold noise, to be refused before any derivation;
# hostile-scrypt.pfx keeps its key under scrypt at 256 MiB, the most the tool allows.
# Runs alone with `certs-testdata/generate.sh hostile-pfx`.
hostile_pfx_fixtures() {
  key hostile rsa2048
  SAN="DNS:hostile.pfx.example" sign hostile "/CN=hostile.pfx.example" self 20110601000000Z 20120601000000Z sha256 v3_leaf
  python3 "$here/pfx.py" "$here/hostile-heavy.pfx" hostile.key hostile.pem \
    --password 'Fed2010!' --iterations 1000000
  python3 "$here/pfx.py" "$here/hostile-bags.pfx" hostile.key hostile.pem \
    --password 'Fed2010!' --iterations 1000000 --declared-bags 1000
  python3 "$here/pfx.py" "$here/hostile-scrypt.pfx" hostile.key hostile.pem \
    --password 'Fed2010!' --scrypt-key 18
}
if [ "${1:-}" = hostile-pfx ]; then
  hostile_pfx_fixtures
  echo "Hostile PFX fixtures written to $here"
  exit 0
fi
if [ "${1:-}" = graph ]; then
  graph_fixtures
  echo "Path graph fixtures written to $here"
  exit 0
fi

# ---- Certificate authorities -------------------------------------------------------------
# Like the 1999 Entrust.net Secure Server CA: RSA-1024, SHA-1, two OUs.
key legacy-root rsa1024
sign legacy-root "/C=US/O=Test.net/OU=www.test.net\/CPS incorp. by ref. (limits liab.)/OU=(c) 1999 Test.net Limited/CN=Test.net Secure Server Certification Authority" \
  self 19990525160940Z 20190525163940Z sha1 v3_root
# Like USERTrust Legacy Secure Server CA, issued by the legacy root.
key legacy-int rsa2048
sign legacy-int "/C=US/ST=UT/L=Salt Lake City/O=The TESTTRUST Network/CN=TestTrust Legacy Secure Server CA" \
  legacy-root 20061101000000Z 20190501000000Z sha1 v3_intermediate
# Like DigiCert Global Root CA: a listed root that issues directly.
key global-root rsa2048
sign global-root "/C=US/O=Test Inc/OU=www.test.example/CN=Test Global Root CA" \
  self 20061110000000Z 20311110000000Z sha256 v3_root
# Same name as the global root, another key.
key impostor-root rsa2048
sign impostor-root "/C=US/O=Test Inc/OU=www.test.example/CN=Test Global Root CA" \
  self 20061110000000Z 20311110000000Z sha256 v3_root
# Like AAA Certificate Services: requested, not confirmed.
key pending-root rsa2048
sign pending-root "/C=GB/ST=Greater Manchester/L=Salford/O=Test CA Limited/CN=Test AAA Certificate Services" \
  self 20040101000000Z 20281231235959Z sha1 v3_root
key removed-root rsa2048
sign removed-root "/C=US/O=Test Removed/CN=Test Removed Root CA" \
  self 20040101000000Z 20281231235959Z sha256 v3_root
key unlisted-root rsa2048
sign unlisted-root "/C=US/O=Test Unlisted/CN=Test Unlisted Root CA" \
  self 20040101000000Z 20281231235959Z sha256 v3_root
# A listed intermediate that expires before the certificates it issued.
key short-int rsa2048
sign short-int "/C=US/O=Test Inc/CN=Test Short-Lived CA" \
  global-root 20061110000000Z 20101231000000Z sha256 v3_intermediate
# A listed DSA root: its signatures cannot be verified here.
key dsa-root dsa
sign dsa-root "/C=US/O=Test DSA/CN=Test DSA Root CA" \
  self 20040101000000Z 20281231235959Z sha256 v3_root

for ca in legacy-root legacy-int global-root impostor-root pending-root removed-root unlisted-root short-int dsa-root; do
  cp "$ca.pem" "$here/ca-$ca.pem"
done

# ---- The seed's story ---------------------------------------------------------------------
# A Comodo-like SAN certificate from the intermediate, which chains to the listed root.
key story-leaf rsa2048
SAN="DNS:mail.contoso.com,DNS:autodiscover.contoso.com,DNS:contoso.com" \
  sign story-leaf "/C=US/ST=Washington/L=Redmond/O=Contoso/CN=mail.contoso.com" \
  legacy-int 20100601000000Z 20120601000000Z sha1 v3_leaf
{
  echo "subject=/C=US/ST=Washington/L=Redmond/O=Contoso/CN=mail.contoso.com"
  echo "issuer=/C=US/ST=UT/L=Salt Lake City/O=The TESTTRUST Network/CN=TestTrust Legacy Secure Server CA"
  out story-leaf.pem
  echo
  echo "Intermediate certificate, as the vendor's e-mail attached it:"
  out legacy-int.pem
  echo "Root:"
  out legacy-root.pem
} > "$here/story-bundle.pem"
cat legacy-root.pem story-leaf.pem legacy-int.pem > "$here/story-unordered.pem"
# The intermediate's key certified a second time, by an unlisted root: like the AddTrust-signed
# copy of USERTrust Legacy Secure Server CA. The unlisted copy comes first in the file.
key external-root rsa2048
sign external-root "/C=SE/O=Test External AB/OU=Test External TTP Network/CN=Test External CA Root" \
  self 20000530000000Z 20200530000000Z sha1 v3_root
cp legacy-int.key legacy-int-cross.key
sign legacy-int-cross "/C=US/ST=UT/L=Salt Lake City/O=The TESTTRUST Network/CN=TestTrust Legacy Secure Server CA" \
  external-root 20061101000000Z 20190501000000Z sha1 v3_intermediate
cat story-leaf.pem legacy-int-cross.pem external-root.pem legacy-int.pem legacy-root.pem > "$here/story-cross.pem"
der story-leaf.pem > "$here/story-leaf.cer"
der legacy-int.pem > "$here/story-intermediate.cer"
cat story-leaf.pem legacy-int.pem legacy-root.pem > chain.pem
openssl crl2pkcs7 -nocrl -certfile chain.pem -outform DER -out "$here/story.p7b"
openssl crl2pkcs7 -nocrl -certfile chain.pem -outform PEM -out "$here/story-p7b.pem"
# OpenSSL's streaming CMS output: BER with indefinite lengths, certificates inside.
echo "federation" > content.txt
cat legacy-int.pem legacy-root.pem > cas.pem
openssl cms -sign -binary -stream -nosmimecap -outform DER -in content.txt \
  -signer story-leaf.pem -inkey story-leaf.key -certfile cas.pem -out "$here/story-ber.p7b"
# Windows-style text: UTF-8 BOM and CRLF; and PowerShell's UTF-16LE with BOM and CRLF.
{ printf '\xEF\xBB\xBF'; sed 's/$/\r/' "$here/story-bundle.pem"; } > "$here/story-crlf-bom.pem"
{ printf '\xFF\xFE'; sed 's/$/\r/' chain.pem | iconv -f UTF-8 -t UTF-16LE; } > "$here/story-utf16.pem"

# ---- The story as the .pfx the admin imports --------------------------------------------
# These carry the story leaf's private key, encrypted with the test password below.
pw='Fed2010!'
printf '%s\r\n' "$pw" > "$here/pfx-password.txt"
printf 'Fed2011!\r\n' > "$here/pfx-wrong-password.txt"
export_pfx() { # export_pfx OUT [openssl pkcs12 options...]
  local out=$1
  shift
  openssl pkcs12 -export -inkey story-leaf.key -in story-leaf.pem -certfile cas.pem \
    -name "Contoso Federation 2010" -out "$here/$out" "$@"
}
# Windows' legacy export: RC2-40 certificates, 3DES key, SHA-1 MAC; a CryptoAPI CSP.
export_pfx story-legacy.pfx -legacy -passout "pass:$pw" -CSP "Microsoft RSA SChannel Cryptographic Provider"
# OpenSSL 3's default: PBES2 AES-256-CBC, PBKDF2 HMAC-SHA256, SHA-256 MAC; a Unicode name.
openssl pkcs12 -export -inkey story-leaf.key -in story-leaf.pem -certfile cas.pem \
  -name "Contoso Fédération — 2010 ✓" -CSP "Microsoft Enhanced RSA and AES Cryptographic Provider" \
  -passout "pass:$pw" -out "$here/story-aes.pfx"
# The key in a CNG key storage provider: Exchange 2010 cannot use it.
export_pfx story-cng.pfx -passout "pass:$pw" -CSP "Microsoft Software Key Storage Provider"
# Windows Server 2019's "TripleDES-SHA1" export with an empty password.
export_pfx story-empty-password.pfx -passout pass: -keypbe PBE-SHA1-3DES -certpbe PBE-SHA1-3DES -macalg sha1
# What openssl cannot write: the absent (NULL) password, the HMAC-SHA1 PRF, and BER.
python3 "$here/pfx.py" "$here/story-null-password.pfx" story-leaf.key story-leaf.pem legacy-int.pem legacy-root.pem \
  --null-password --name "Contoso Federation 2010"
python3 "$here/pfx.py" "$here/story-sha1prf.pfx" story-leaf.key story-leaf.pem legacy-int.pem legacy-root.pem \
  --password "$pw" --prf sha1 --name "Contoso Federation 2010"
python3 "$here/pfx.py" "$here/story-ber.pfx" story-leaf.key story-leaf.pem legacy-int.pem legacy-root.pem \
  --password "$pw" --ber --name "Contoso Federation 2010"
# Certificates only, root first: no key to pair, so the leaf is found as for PEM.
cat legacy-root.pem story-leaf.pem legacy-int.pem > unordered.pem
openssl pkcs12 -export -nokeys -in unordered.pem -passout "pass:$pw" -out "$here/story-nokeys.pfx"
# The key alone: nothing to check by itself; pairs with the story leaf from another file.
openssl pkcs12 -export -nocerts -inkey story-leaf.key -name "Contoso Federation 2010" \
  -passout "pass:$pw" -out "$here/key-only.pfx" 2>/dev/null
head -c 1200 "$here/story-legacy.pfx" > "$here/truncated.pfx"
# A PFX as text: certutil -encode's CERTIFICATE armour with CRLF, and one base64 line
# (how Azure Key Vault hands out a .pfx secret, with an empty password).
pfx_as_text() {
  { echo "-----BEGIN CERTIFICATE-----"; openssl base64 -in "$here/story-legacy.pfx"; echo "-----END CERTIFICATE-----"; } |
    sed 's/$/\r/' > "$here/story-legacy-certutil.txt"
  openssl base64 -A -in "$here/story-empty-password.pfx" > "$here/story-keyvault.txt"
}
pfx_as_text

# A password with accented letters, and its file saved as "ANSI" (Windows-1252), as Notepad
# and Windows PowerShell 5.1 write it: the password is read as Windows-1252 when the file is
# not UTF-8. The PFX holds its own self-signed certificate and key.
ansi_pfx() {
  key ansi-leaf rsa2048
  SAN="DNS:Federation" sign ansi-leaf "/CN=Federation" \
    self 20100601000000Z 20150601000000Z sha256 v3_selfsigned_leaf
  openssl pkcs12 -export -inkey ansi-leaf.key -in ansi-leaf.pem -name "Exchange Delegation Federation" \
    -CSP "Microsoft Enhanced RSA and AES Cryptographic Provider" -passout "pass:Fédé2010!" \
    -out "$here/ansi-password.pfx"
  printf 'F\xe9d\xe92010!\r\n' > "$here/ansi-password.txt"
}
ansi_pfx

# A system CA bundle (like /etc/ssl/certs/ca-certificates.crt or a Windows root export):
# 150 self-signed roots with EC keys, none of them related to the fixtures. Given beside a
# leaf and its intermediate, the report must still fit a screen.
system_bundle() {
  : > "$here/system-roots-150.pem"
  for k in $(seq 1 150); do
    key "sysroot$k" ec
    sign "sysroot$k" "/C=US/O=Test System Store/CN=Test System Root $k" \
      self 20060101000000Z 20360101000000Z sha256 v3_root
    cat "sysroot$k.pem" >> "$here/system-roots-150.pem"
  done
}
system_bundle

# ---- Issued directly by a listed CA -------------------------------------------------------
key direct-leaf rsa2048
SAN="DNS:mail.fabrikam.com,DNS:autodiscover.fabrikam.com" \
  sign direct-leaf "/C=US/O=Fabrikam/CN=mail.fabrikam.com" \
  global-root 20100601000000Z 20120601000000Z sha256 v3_leaf
cp direct-leaf.pem "$here/direct-leaf.pem"
cat direct-leaf.pem global-root.pem > "$here/direct-bundle.pem"
der direct-leaf.pem > "$here/direct-leaf.cer"
der direct-leaf.pem | openssl base64 > "$here/direct-leaf.b64"
sed 's/BEGIN CERTIFICATE/BEGIN X509 CERTIFICATE/; s/END CERTIFICATE/END X509 CERTIFICATE/' \
  direct-leaf.pem > "$here/direct-leaf-x509-label.pem"
openssl x509 -in direct-leaf.pem -trustout -addtrust serverAuth -out "$here/direct-leaf-trusted.pem"
cat direct-leaf.pem global-root.pem direct-leaf.pem > "$here/duplicate.pem"
cat direct-leaf.pem global-root.pem pending-root.pem > "$here/unrelated.pem"

# ---- Impostor: same name as the listed root, another key -----------------------------------
key impostor-leaf rsa2048
SAN="DNS:mail.fabrikam.com" \
  sign impostor-leaf "/C=US/O=Fabrikam/CN=mail.fabrikam.com" \
  impostor-root 20100601000000Z 20120601000000Z sha256 v3_leaf
cp impostor-leaf.pem "$here/impostor-leaf.pem"
cat impostor-leaf.pem impostor-root.pem > "$here/impostor-bundle.pem"

# ---- One requirement failing at a time (all from the listed global root) -------------------
key noski-leaf rsa2048
SAN="DNS:noski.fabrikam.com" sign noski-leaf "/O=Fabrikam/CN=noski.fabrikam.com" \
  global-root 20100601000000Z 20120601000000Z sha256 v3_leaf_noski
cat noski-leaf.pem global-root.pem > "$here/missing-ski.pem"
key ec-leaf ec
SAN="DNS:ec.fabrikam.com" sign ec-leaf "/O=Fabrikam/CN=ec.fabrikam.com" \
  global-root 20100601000000Z 20120601000000Z sha256 v3_leaf
cat ec-leaf.pem global-root.pem > "$here/not-rsa.pem"
key rsa1024-leaf rsa1024
SAN="DNS:small.fabrikam.com" sign rsa1024-leaf "/O=Fabrikam/CN=small.fabrikam.com" \
  global-root 20100601000000Z 20120601000000Z sha256 v3_leaf
cat rsa1024-leaf.pem global-root.pem > "$here/weak-key.pem"
# What the Exchange 2010 SP1/SP2 New Federation Trust wizard makes.
key selfsigned-leaf rsa2048
SAN="DNS:Federation" sign selfsigned-leaf "/CN=Federation" \
  self 20100601000000Z 20150601000000Z sha1 v3_selfsigned_leaf
cp selfsigned-leaf.pem "$here/self-signed.pem"
# The wizard's certificate as a PFX with its key: in a CryptoAPI CSP, and in a CNG KSP.
for provider in "capi|Microsoft Enhanced RSA and AES Cryptographic Provider" "cng|Microsoft Software Key Storage Provider"; do
  openssl pkcs12 -export -inkey selfsigned-leaf.key -in selfsigned-leaf.pem -name "Exchange Delegation Federation" \
    -CSP "${provider#*|}" -passout "pass:Fed2010!" -out "$here/self-signed-${provider%%|*}.pfx"
done
# A self-signed certificate without a Subject Key Identifier.
key selfsigned-noski rsa2048
SAN="DNS:Federation" sign selfsigned-noski "/CN=Federation" \
  self 20100601000000Z 20150601000000Z sha256 v3_selfsigned_noski
cp selfsigned-noski.pem "$here/self-signed-noski.pem"
# The direct leaf with one signature bit flipped.
der direct-leaf.pem | xxd -p | tr -d '\n' > badsig.hex
last=$(tail -c 2 badsig.hex)
printf '%s%02x' "$(head -c -2 badsig.hex)" $(( 0x$last ^ 0x01 )) | xxd -r -p > badsig.der
{ openssl x509 -inform DER -in badsig.der; cat global-root.pem; } > "$here/bad-signature.pem"

# ---- Evidence and time: what the input cannot show, and CAs that expired --------------------
# A leaf from the listed global root without an Authority Key Identifier: alone, nothing ties
# its issuer name to the listed key (undetermined); with the root beside it, accepted.
key noaki-leaf rsa2048
SAN="DNS:noaki.fabrikam.com" sign noaki-leaf "/O=Fabrikam/CN=noaki.fabrikam.com" \
  global-root 20100601000000Z 20120601000000Z sha256 v3_leaf_noaki
cp noaki-leaf.pem "$here/noaki-leaf.pem"
# A key rollover of the listed global root: its name, a new key, signed by the listed key.
# Not an impostor, but the new key is not on the list: indirect-issuer.
key global-rollover rsa2048
sign global-rollover "/C=US/O=Test Inc/OU=www.test.example/CN=Test Global Root CA" \
  global-root 20090101000000Z 20290101000000Z sha256 v3_intermediate
key rollover-leaf rsa2048
SAN="DNS:rollover.fabrikam.com" sign rollover-leaf "/O=Fabrikam/CN=rollover.fabrikam.com" \
  global-rollover 20100601000000Z 20120601000000Z sha256 v3_leaf
cat rollover-leaf.pem global-rollover.pem global-root.pem > "$here/rollover-bundle.pem"
# An old copy of the listed global root (same name and key) that expired on 2010-12-31,
# beside the direct leaf: the allowlist knows the current copy, so stale-ca-copy, not expired.
cp global-root.key global-root-old.key
sign global-root-old "/C=US/O=Test Inc/OU=www.test.example/CN=Test Global Root CA" \
  self 20061110000000Z 20101231000000Z sha256 v3_root
cat direct-leaf.pem global-root-old.pem > "$here/stale-root-copy.pem"
# A leaf naming the short-lived CA as issuer (name and key identifier) whose validity begins
# after every known certificate of that CA expired: that CA cannot have issued it.
key late-leaf rsa2048
SAN="DNS:late.fabrikam.com" sign late-leaf "/O=Fabrikam/CN=late.fabrikam.com" \
  short-int 20110201000000Z 20130201000000Z sha256 v3_leaf
cp late-leaf.pem "$here/issued-after-issuer-expired.pem"

# ---- Weak but genuine signatures -------------------------------------------------------------
weak() { # weak NAME ISSUER DIGEST [extra]
  local name=$1 issuer=$2 md=$3
  shift 3
  key "$name" rsa2048
  SAN="DNS:$name.fabrikam.com" sign "$name" "/O=Fabrikam/CN=$name.fabrikam.com" \
    "$issuer" 20100601000000Z 20120601000000Z "$md" v3_leaf "$@"
  cat "$name.pem" "$issuer.pem" > "$here/$name.pem"
}
weak weak-md5 global-root md5
weak weak-sha1 global-root sha1
weak weak-pss-sha1 global-root sha1 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:20
weak strong-pss-sha256 global-root sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32
weak weak-1024-sha256 legacy-root sha256
weak weak-1024-sha384 legacy-root sha384
weak weak-1024-sha512 legacy-root sha512

# ---- Issuer states -------------------------------------------------------------------------
issued_by() { # issued_by FILE ISSUER CN
  key "$1" rsa2048
  SAN="DNS:$3" sign "$1" "/O=Fabrikam/CN=$3" "$2" 20100601000000Z 20120601000000Z sha256 v3_leaf
  cat "$1.pem" "$2.pem" > "$here/$1.pem"
}
issued_by pending pending-root pending.fabrikam.com
issued_by removed removed-root removed.fabrikam.com
issued_by unlisted unlisted-root unlisted.fabrikam.com
key short-leaf rsa2048
SAN="DNS:short.fabrikam.com" sign short-leaf "/O=Fabrikam/CN=short.fabrikam.com" \
  short-int 20100601000000Z 20120601000000Z sha256 v3_leaf
cat short-leaf.pem short-int.pem global-root.pem > "$here/issuer-expired.pem"
key dsa-leaf rsa2048
SAN="DNS:dsa.fabrikam.com" sign dsa-leaf "/O=Fabrikam/CN=dsa.fabrikam.com" \
  dsa-root 20100601000000Z 20120601000000Z sha256 v3_leaf
cat dsa-leaf.pem dsa-root.pem > "$here/unsupported-signature.pem"
cat direct-leaf.pem unlisted.pem > "$here/two-leaves.pem"

# ---- Loops and meshes ------------------------------------------------------------------------
# Two CAs that certify each other, and a leaf under one of them.
key loop-a rsa2048
key loop-b rsa2048
sign loop-b "/O=Test Loop/CN=Test Loop CA B" self 20060101000000Z 20300101000000Z sha256 v3_root
cp loop-b.pem loop-b-self.pem
sign loop-a "/O=Test Loop/CN=Test Loop CA A" loop-b 20060101000000Z 20300101000000Z sha256 v3_intermediate
sign loop-b "/O=Test Loop/CN=Test Loop CA B" loop-a 20060101000000Z 20300101000000Z sha256 v3_intermediate
key loop-leaf rsa2048
SAN="DNS:loop.fabrikam.com" sign loop-leaf "/O=Fabrikam/CN=loop.fabrikam.com" \
  loop-a 20100601000000Z 20120601000000Z sha256 v3_leaf
cat loop-leaf.pem loop-a.pem loop-b.pem > "$here/cross-loop.pem"

# 120 CA certificates named alike, without key identifiers, cross-signing each other:
# 40 keys, each certified by three others. The leaf was issued by key 0.
mesh_subject="/O=Test Mesh/CN=Test Mesh CA"
for k in $(seq 0 39); do
  key "mesh$k" rsa2048
  sign "mesh$k" "$mesh_subject" self 20060101000000Z 20300101000000Z sha256 v3_mesh
done
: > mesh.pem
for k in $(seq 0 39); do
  for step in 1 11 23; do
    signer=$(( (k + step) % 40 ))
    cp "mesh$k.key" "m.key"
    openssl req -new -key m.key -subj "$mesh_subject" -out m.csr -config ca.cnf
    openssl ca -config ca.cnf -batch -notext -preserveDN -cert "mesh$signer.pem" -keyfile "mesh$signer.key" \
      -in m.csr -out m.pem -startdate 20060101000000Z -enddate 20300101000000Z -md sha256 -extensions v3_mesh 2>/dev/null
    cat m.pem >> mesh.pem
  done
done
key mesh-leaf rsa2048
SAN="DNS:mesh.fabrikam.com" sign mesh-leaf "/O=Fabrikam/CN=mesh.fabrikam.com" \
  mesh0 20100601000000Z 20120601000000Z sha256 v3_mesh_leaf
cat mesh-leaf.pem mesh.pem > "$here/mesh-120.pem"

# ---- Look-alike of a real listed CA, for demos against the built-in allowlist -------------------
# Same subject and Subject Key Identifier as the real Go Daddy Secure Certification Authority,
# another key. The leaf alone is checked with the real CA's key the built-in list carries
# (signature-invalid); with this CA certificate beside it, the different key gives it away
# (issuer-key-mismatch).
cat >> ca.cnf <<'EOF2'
[ v3_lookalike ]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = FD:AC:61:32:93:6C:45:D6:E2:EE:85:5F:9A:BA:E7:76:99:68:CC:E7
authorityKeyIdentifier = none
EOF2
key lookalike-ca rsa2048
sign lookalike-ca "/C=US/ST=Arizona/L=Scottsdale/O=GoDaddy.com, Inc./OU=http:\/\/certificates.godaddy.com\/repository/CN=Go Daddy Secure Certification Authority/serialNumber=07969287" \
  self 20061116000000Z 20261116000000Z sha256 v3_lookalike
key lookalike-leaf rsa2048
SAN="DNS:mail.northwind.example,DNS:autodiscover.northwind.example" \
  sign lookalike-leaf "/C=US/O=Northwind Traders/CN=mail.northwind.example" \
  lookalike-ca 20100601000000Z 20120601000000Z sha256 v3_leaf
cp lookalike-leaf.pem "$here/lookalike-godaddy-leaf.pem"
cat lookalike-leaf.pem lookalike-ca.pem > "$here/lookalike-godaddy-bundle.pem"

# ---- Inputs that hold no usable certificate ------------------------------------------------
: > "$here/empty.pem"
head -c 300 "$here/direct-leaf.cer" > "$here/truncated.cer"
printf '\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06' > "$here/garbage.png"
printf 'Thumbprint: 7C4656C3061F7F4C0D67B319A855F60EBC11FC44\r\nSee the ticket for details.\r\n' > "$here/notes.txt"
openssl req -new -key direct-leaf.key -subj "/O=Fabrikam/CN=mail.fabrikam.com" -config ca.cnf > "$here/request.csr"
# Not a real key: the base64 says "NOT A KEY".
printf -- '-----BEGIN PRIVATE KEY-----\nTk9UIEEgS0VZ\n-----END PRIVATE KEY-----\n' > "$here/key-only.pem"
{ head -n 10 direct-leaf.pem; } > "$here/cut-pem.pem"

# ---- The test allowlist, from the certificates just made ---------------------------------

{
  echo "# Test allowlist for the fixtures in this directory. Written by generate.sh; do not edit."
  echo "version: 1"
  echo "authorities:"
  entry() { # entry CA NAME STATUS KIND IDENTIFY [extra lines]
    local ca=$1 name=$2 status=$3 kind=$4 identify=$5
    shift 5
    echo "  - name: \"$name\""
    echo "    subject: '$(subject "$ca")'"
    if [ "$identify" = thumbprint ]; then
      echo "    certificates:"
      echo "      - sha1: \"$(sha1 "$ca")\""
      echo "        sha256: \"$(sha256 "$ca")\""
      echo "        not_before: $(moment "$ca" startdate)"
      echo "        not_after: $(moment "$ca" enddate)"
    fi
    echo "    spki_sha256: \"$(spki "$ca")\""
    echo "    ski: \"$(ski "$ca")\""
    echo "    kind: $kind"
    echo "    status: $status"
    for line in "$@"; do echo "    $line"; done
  }
  entry legacy-root "Test.net Secure Server Certification Authority" accepted root thumbprint \
    'published: "Test Secure Server CA"'
  entry legacy-int "TestTrust Legacy Secure Server CA" accepted intermediate key \
    "since: 2011-01-01" 'notes: "Accepted after a support case, identified by subject and key."'
  entry global-root "Test Global Root CA" accepted root thumbprint
  entry pending-root "Test AAA Certificate Services" requested root thumbprint
  entry removed-root "Test Removed Root CA" removed root thumbprint
  entry short-int "Test Short-Lived CA" accepted intermediate thumbprint
  entry dsa-root "Test DSA Root CA" accepted root thumbprint
} > "$here/allowlist.yaml"

tls_fixtures
aia_fixtures
graph_fixtures
hostile_pfx_fixtures

echo "fixtures written to $here"
