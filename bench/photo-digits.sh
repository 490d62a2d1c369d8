#!/usr/bin/env bash
# Renders printed digits made to look like photographs, with ImageMagick 6, to test how predict
# prepares pictures that are not MNIST records. Every file name starts with its true digit and a
# dash (7-dejavu-serif-dark-1.jpg). Three folders under OUT:
#
#   photo/        PER_DIGIT images of each digit 0-9 (default 2, so 20): several fonts, light or
#                 dark paper, uneven light (a linear gradient across the sheet), blur, Gaussian
#                 noise, a small rotation, the digit off centre, JPEG compression (quality 35-80)
#   white/        one of each digit, black DejaVu Sans on white paper, PNG: the easy case
#   faint-noise/  the white/ images with faint Gaussian noise added, PNG
#
#   bench/photo-digits.sh [--out DIR] [--per-digit N] [--seed S]
#   bench/photo-digits.sh --score MODEL [--out DIR]
#
# --score runs `backprop-cl predict --top 1` with MODEL on each of the three folders under DIR
# (made before; the committed set by default) and prints each wrong answer and the score per
# folder, e.g. "photo: 17/20". BACKPROP_CL is the command that runs backprop-cl (default: the
# repository's launcher).
#
# Deterministic: the same seed (default 13) makes the same files, byte for byte, with the same
# ImageMagick and fonts (metadata that would hold dates is stripped). The default OUT is the test
# resource folder src/test/resources/photo-digits, where the committed set lives, so CI needs no
# ImageMagick. Environment: CONVERT, ImageMagick 6's convert (default /usr/bin/convert).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
convert="${CONVERT:-/usr/bin/convert}"

out="$repo/src/test/resources/photo-digits"
per_digit=2
seed=13
score=""
while [ $# -gt 0 ]; do
    case "$1" in
        --score) score="$2"; shift 2 ;;
        --out) out="$2"; shift 2 ;;
        --per-digit) per_digit="$2"; shift 2 ;;
        --seed) seed="$2"; shift 2 ;;
        -h|--help) sed -n '2,23p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "photo-digits.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done
if ! [[ "$per_digit" =~ ^[1-9][0-9]*$ && "$seed" =~ ^[0-9]+$ ]]; then
    echo "photo-digits.sh: --per-digit needs a whole number >= 1 and --seed one >= 0" >&2
    exit 2
fi
if [ -n "$score" ]; then
    read -r -a backprop_cl <<< "${BACKPROP_CL:-$repo/backprop-cl}"
    for folder in photo white faint-noise; do
        files=("$out/$folder"/*)
        if [ ! -e "${files[0]}" ]; then
            echo "photo-digits.sh: no images in $out/$folder; make them first" >&2
            exit 2
        fi
        # "DIR/7-name.jpg: 7 (0.93)": right when the answer is the digit the file name starts with.
        "${backprop_cl[@]}" predict --model "$score" --top 1 "${files[@]}" | awk -F': ' -v folder="$folder" '
            { n = split($1, part, "/"); truth = substr(part[n], 1, index(part[n], "-") - 1)
              split($2, answer, " "); if (answer[1] == truth) right++; else print "  " part[n] " -> " $2 }
            END { printf "%s: %d/%d\n", folder, right, NR }'
    done
    exit 0
fi
if ! "$convert" -version 2>/dev/null | grep -q 'ImageMagick 6'; then
    echo "photo-digits.sh: $convert is not ImageMagick 6 (set CONVERT)" >&2
    exit 2
fi

# name=file: DejaVu (Debian's fonts-dejavu-core) and the URW base 35 (fonts-urw-base35).
fonts=(
    dejavu-sans=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
    dejavu-sans-bold=/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf
    dejavu-serif=/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf
    dejavu-sans-mono=/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf
    dejavu-sans-oblique=/usr/share/fonts/truetype/dejavu/DejaVuSans-Oblique.ttf
    nimbus-sans=/usr/share/fonts/opentype/urw-base35/NimbusSans-Regular.otf
    urw-gothic=/usr/share/fonts/opentype/urw-base35/URWGothic-Book.otf
    c059-roman=/usr/share/fonts/opentype/urw-base35/C059-Roman.otf
)
for f in "${fonts[@]}"; do
    if [ ! -f "${f#*=}" ]; then
        echo "photo-digits.sh: font ${f#*=} is missing (install fonts-dejavu-core and fonts-urw-base35)" >&2
        exit 2
    fi
done

# A 31-bit linear congruential generator (the constants of glibc's rand), so the set depends on
# --seed only. rand LO HI sets r to a whole number in [LO, HI].
state=$seed
rand() {
    state=$(( (state * 1103515245 + 12345) % 2147483648 ))
    r=$(( $1 + (state >> 8) % ($2 - $1 + 1) ))
}

strip=(-strip -define png:exclude-chunks=date,time)
mkdir -p "$out/photo" "$out/white" "$out/faint-noise"
rm -f "$out"/photo/*.jpg "$out"/white/*.png "$out"/faint-noise/*.png

n=0
for ((k = 1; k <= per_digit; k++)); do
    for d in 0 1 2 3 4 5 6 7 8 9; do
        rand 0 $(( ${#fonts[@]} - 1 )); font="${fonts[$r]}"
        rand 120 220; w=$r
        rand 120 220; h=$r
        rand 45 70; size=$(( (w < h ? w : h) * r / 100 ))   # the digit's height, % of the shorter side
        rand -12 12; dx=$(( w * r / 100 ))
        rand -10 10; dy=$(( h * r / 100 ))
        rand -12 12; angle=$r
        rand 0 3; if [ "$r" -eq 0 ]; then
            # Dark paper, light ink (chalk on a board, a negative).
            tone=dark; rand 10 35; paper=$r; rand 70 95; ink=$r
        else
            tone=light; rand 60 95; paper=$r; rand 5 30; ink=$r
        fi
        # Uneven light: full light at one corner, LIGHT% at the opposite one.
        rand 45 90; light=$r
        rand 0 3; corner=$r
        case $corner in
            0) from="0,0"; to="$w,$h" ;;
            1) from="$w,0"; to="0,$h" ;;
            2) from="0,$h"; to="$w,0" ;;
            *) from="$w,$h"; to="0,0" ;;
        esac
        rand 0 25; blur=$(( r / 10 )).$(( r % 10 ))
        rand 10 60; noise=0.$(printf '%02d' "$r")
        rand 35 80; quality=$r
        rand 0 99999; noise_seed=$r
        name="$d-${font%%=*}-$tone-$k.jpg"
        "$convert" -size "${w}x${h}" "xc:gray($paper%)" \
            -font "${font#*=}" -pointsize "$size" -fill "gray($ink%)" -gravity center \
            -annotate "${angle}x${angle}+${dx}+${dy}" "$d" \
            \( -size "${w}x${h}" xc: -sparse-color Barycentric "$from gray(100%) $to gray($light%)" \) \
            -compose Multiply -composite \
            -blur "0x$blur" \
            -seed "$noise_seed" -attenuate "$noise" +noise Gaussian \
            -colorspace Gray -quality "$quality" "${strip[@]}" "$out/photo/$name"
        n=$((n + 1))
    done
done

# White paper, black ink, centred, 140 x 140: what a drawing program saves. The faint-noise copy
# adds Gaussian noise at attenuate 0.5: a standard deviation of 0.024 (6 of 255 grey levels) on
# the paper, hard to see, what a scanner or a camera adds.
for d in 0 1 2 3 4 5 6 7 8 9; do
    "$convert" -size 140x140 xc:white -font "${fonts[0]#*=}" -pointsize 90 -fill black -gravity center \
        -annotate +0+0 "$d" -colorspace Gray "${strip[@]}" "$out/white/$d-white.png"
    "$convert" "$out/white/$d-white.png" -seed "$((seed + d))" -attenuate 0.5 +noise Gaussian \
        -colorspace Gray "${strip[@]}" "$out/faint-noise/$d-faint-noise.png"
done
echo "wrote $n photo-like digits to $out/photo, 10 to $out/white and 10 to $out/faint-noise"
