#!/usr/bin/env bash
# The README's demo, scripted, with the binaries under test: it must finish and both phones'
# transcripts must show the whole order, from the typed list to delivery.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=${1:?usage: scripted_demo_test.sh BIN_DIR}
out=$(CHATSHOP_DEMO_BIN="$BIN" "$ROOT/scripts/demo" --scripted 2>&1) || {
  echo "$out"; echo "scripted demo failed"; exit 1; }
expected=(
  "replies for this message: 1 (the duplicate was recognised by its wamid)"
  "2 × Aashirvaad Whole Wheat Atta 5kg @ ₹289.00 = ₹578.00"
  "I couldn't find \"pizza\"."
  "Replaced Kurkure Masala Munch 90g with Lays Classic Salted Chips 52g."
  "Maggi 2-Minute Noodles 70g: now 3."
  "is reserved for you for 30 minutes."
  "upi://pay?pa=sharmakirana@okaxis&pn=Sharma%20Kirana&am=762.00&cu=INR"
  "आपके लिए 30 मिनट तक रखा गया है।"
  "[image/png SBXMEDIA"
  "[picture SBXUPLOAD"
  "    [ Approve | Reject ]"
  "[tapped Approve]"
  "is now delivered."
  "पहुँच गया। Sharma Kirana से ख़रीदारी के लिए धन्यवाद!"
)
for line in "${expected[@]}"; do
  grep -qF -- "$line" <<<"$out" || { echo "$out"; echo "missing from the transcript: $line"; exit 1; }
done
echo "scripted demo: all ${#expected[@]} expected lines present"
