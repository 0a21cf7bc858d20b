#!/usr/bin/env bash
# page_check.sh PAGE.html WORD...: renders a report page in headless Chromium (from its own folder,
# as a user opens it) and passes when every image on it loads and every WORD is in its first
# table column. Exit 77 (skipped) when chromium is not installed (scripts/setup-debian.sh --view).
set -euo pipefail
page=$1
shift
command -v chromium > /dev/null || { echo "SKIP: chromium is not installed (scripts/setup-debian.sh --view)"; exit 77; }
dir=$(cd "$(dirname "$page")" && pwd)
probe=$(mktemp "$dir/probe-XXXXXX.html")
trap 'rm -f "$probe"' EXIT
cat > "$probe" <<HTML
<!DOCTYPE html><html><body><iframe id="page" src="$(basename "$page")"></iframe><pre id="result">pending</pre>
<script>
document.getElementById("page").onload = () => {
  const doc = document.getElementById("page").contentDocument;
  const images = [...doc.images].map(i => i.getAttribute("src") + "=" + (i.complete && i.naturalWidth > 0 ? "loaded" : "broken"));
  const cells = [...doc.querySelectorAll("td:first-child")].map(c => c.textContent.trim());
  document.getElementById("result").textContent = "IMAGES " + images.join(" ") + "\\nCELLS " + cells.join(" ");
};
</script></body></html>
HTML
shown=$(timeout 120 chromium --headless --no-sandbox --disable-gpu --allow-file-access-from-files \
  --virtual-time-budget=5000 --dump-dom "file://$probe" 2> /dev/null | grep -E "^(<.*>)?(IMAGES|CELLS) " | sed 's/^.*<pre id="result">//')
images=$(grep "IMAGES" <<<"$shown" | cut -d' ' -f2-)
cells=" $(grep "^CELLS" <<<"$shown" | cut -d' ' -f2-) "
echo "images: $images"
[[ -n $images ]] || { echo "no image on the page"; exit 1; }
if grep -q "=broken" <<<"$images"; then echo "a broken image"; exit 1; fi
for word in "$@"; do
  [[ $cells == *" $word "* ]] || { echo "'$word' is not in the page's tables"; exit 1; }
done
echo "the page shows its images and tables"
