#!/usr/bin/env bash
# Builds qflow's photo library (training textures for `qflow-train --data photos`) from freely
# licensed photographs that Debian ships. Nothing is installed: each package is fetched with
# `apt-get download` and unpacked with `dpkg-deb -x` into a cache folder, never into the repository.
#
#   scripts/fetch-photos.sh [DIR]     (default: $QFLOW_PHOTOS, else ~/.cache/qflow/photos)
#
# Idempotent: a package already unpacked is not fetched again. Writes
#   DIR/backgrounds/<package>/...   photographs (JPEG, PNG, WebP)
#   DIR/objects/<package>/...       photo cut-outs with an alpha channel (tuxpaint stamps)
#   DIR/licences/<package>.copyright  each source package's copyright file, as shipped
#   DIR/manifest.tsv                file, bytes, sha256, package, licence (the copyright's License: fields)
# The trainer filters by size when it loads the library (photographs smaller than 320x240 are skipped).
set -euo pipefail

dir=${1:-${QFLOW_PHOTOS:-$HOME/.cache/qflow/photos}}
mkdir -p "$dir"/{debs,unpacked,backgrounds,objects,licences}
dir=$(cd "$dir" && pwd)

# package | kind | paths inside the package (globs, relative to /) | what to leave out (regex on the path)
sources=(
  "gcompris-qt-data|rcc|usr/share/gcompris-qt/rcc/erase.rcc usr/share/gcompris-qt/rcc/explore_monuments.rcc usr/share/gcompris-qt/rcc/explore_world_animals.rcc usr/share/gcompris-qt/rcc/explore_farm_animals.rcc usr/share/gcompris-qt/rcc/explore_world_music.rcc usr/share/gcompris-qt/rcc/clickgame.rcc usr/share/gcompris-qt/rcc/details.rcc|^$"
  "tuxpaint-data|photo|usr/share/tuxpaint/templates|^$"
  "lomiri-wallpapers-16.04|photo|usr/share/backgrounds|^$"
  "mate-backgrounds|photo|usr/share/backgrounds/mate/nature|^$"
  "lxqt-themes|photo|usr/share/lxqt/wallpapers|(\\.svg|\\.svgz)$"
  "plasma-workspace-wallpapers|photo|usr/share/wallpapers|(\\.svg|\\.svgz|screenshot|/contents/images_dark/)"
  "kphotoalbum|photo|usr/share/kphotoalbum/demo|^$"
  "palapeli-data|photo|usr/share/palapeli/collection|^$"
  "scratch|photo|usr/share/scratch/Media/Backgrounds|^$"
  "tuxpaint-stamps-default|object|usr/share/tuxpaint/stamps|(_mirror|_flip|\\.svg|/cartoon|/symbols/|/seasonal/)"
)

# Cuts every RIFF/WEBP image out of a Qt resource file (uncompressed, as GCompris stores them).
extract_webp() {  # rcc out_prefix
  perl -e '
    local $/; open(my $f, "<:raw", $ARGV[0]) or die; my $d = <$f>; my $n = 0;
    while ($d =~ /RIFF(....)WEBP/gs) {
      my $at = pos($d) - 12; my $len = unpack("V", $1) + 8;
      next if $at + $len > length($d);
      open(my $o, ">:raw", sprintf("%s_%04d.webp", $ARGV[1], $n++)) or die; print $o substr($d, $at, $len); close $o;
      pos($d) = $at + $len;
    }' "$1" "$2"
}

for entry in "${sources[@]}"; do
  IFS='|' read -r package kind paths skip <<<"$entry"
  root="$dir/unpacked/$package"
  if [[ ! -f "$root/.done" ]]; then
    echo "fetch-photos: $package"
    rm -rf "$root" && mkdir -p "$root"
    (cd "$dir/debs" && ls "${package}"_*.deb >/dev/null 2>&1 || apt-get download -q -o APT::Sandbox::User=root "$package" >/dev/null) ||
      { echo "fetch-photos: cannot download $package (run 'apt-get update' as root first?)" >&2; exit 1; }
    dpkg-deb -x "$(ls "$dir/debs/${package}"_*.deb | head -1)" "$root"
    touch "$root/.done"
  fi
  cp "$root/usr/share/doc/$package/copyright" "$dir/licences/$package.copyright" 2>/dev/null ||
    echo "fetch-photos: warning: $package ships no copyright file" >&2
  dest="$dir/$([[ $kind == object ]] && echo objects || echo backgrounds)/$package"
  [[ -f "$dest/.done" ]] && continue
  rm -rf "$dest" && mkdir -p "$dest"
  for p in $paths; do
    [[ -e "$root/$p" ]] || { echo "fetch-photos: warning: $package has no /$p" >&2; continue; }
    if [[ $kind == rcc ]]; then
      extract_webp "$root/$p" "$dest/$(basename "$p" .rcc)"
    else
      find "$root/$p" -type f \( -iname '*.jpg' -o -iname '*.jpeg' -o -iname '*.png' -o -iname '*.webp' \) |
        { grep -Ev "$skip" || true; } | while read -r f; do
          rel=${f#"$root/$p/"}
          cp "$f" "$dest/${rel//\//__}"
        done
    fi
  done
  touch "$dest/.done"
done

# The manifest: one line per image, with the licence fields of its package's copyright file.
{
  printf 'file\tbytes\tsha256\tpackage\tlicence\n'
  for kind in backgrounds objects; do
    for pkgdir in "$dir/$kind"/*/; do
      package=$(basename "$pkgdir")
      licence=$(grep -h '^License:' "$dir/licences/$package.copyright" 2>/dev/null | sed 's/^License: *//' | sort -u | paste -sd ';' -)
      find "$pkgdir" -type f ! -name .done | sort | while read -r f; do
        printf '%s\t%s\t%s\t%s\t%s\n' "${f#"$dir/"}" "$(stat -c %s "$f")" "$(sha256sum "$f" | cut -d' ' -f1)" \
          "$package" "${licence:-see licences/$package.copyright}"
      done
    done
  done
} >"$dir/manifest.tsv"
echo "fetch-photos: $(grep -c backgrounds/ "$dir/manifest.tsv") photographs, $(grep -c objects/ "$dir/manifest.tsv") objects in $dir"
