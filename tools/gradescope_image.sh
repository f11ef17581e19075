#!/usr/bin/env bash
# Run the rnn Gradescope bundle for real on a fresh, minimal Ubuntu 22.04 (jammy) root
# file system, as Gradescope's harness does: setup.sh once as root with the bundle
# unpacked in /autograder/source, then /autograder/run_autograder once per submission: a
# correct notebook (uploaded under another name), a catalog mistake, a hostile one
# (import_reference), one that loops forever (loop_call), and one whose rnn_step_forward
# opens the stored reference first (it must fail to). Each results.json is checked as
# tests/test_gradescope.py checks it; prints a summary with timings.
#
#   sudo tools/gradescope_image.sh
#
# For maintainers, not part of the test suite: it needs root, the network (Ubuntu's or
# Debian's archive and PyPI) and a few minutes. The root file system is made once with
# debootstrap (minbase, with the apt sources of Ubuntu's own container image) and cached
# as a tarball in $KIT_IMAGE_CACHE (default /var/cache/kit-gradescope); every run unpacks
# a fresh copy under $KIT_IMAGE_WORK (default /tmp/kit-gradescope-image). If Ubuntu's
# archive cannot be reached it falls back to Debian bookworm and says so
# (KIT_IMAGE_SUITE=bookworm forces it).
#
# The image runs as a container would: its own mount and pid namespaces, pivot_root (not
# chroot: the kernel refuses a chrooted process new user namespaces and pivot_root), a
# small /dev, as root, on the host's network. setup.sh runs with Docker's default
# capabilities; the submissions run twice, with Docker's default capabilities (no
# CAP_SYS_ADMIN, so the sandbox cannot make its namespaces and degrades, as in a default
# Docker container such as Gradescope's most likely is) and with every capability (a
# privileged container: the full sandbox). Docker's seccomp profile is not reproduced;
# without CAP_SYS_ADMIN the kernel already refuses what it would. The `isolation:` lines
# show what the sandbox got. PYTHON (default .venv/bin/python) builds the bundle and
# checks the results.
set -euo pipefail

ASSIGNMENT=rnn
REPO="$(cd "$(dirname "$0")/.." && pwd)"
PY="${PYTHON:-$REPO/.venv/bin/python}"
CACHE="${KIT_IMAGE_CACHE:-/var/cache/kit-gradescope}"
WORK="${KIT_IMAGE_WORK:-/tmp/kit-gradescope-image}"
SUITE="${KIT_IMAGE_SUITE:-jammy}"
ROOTFS="$WORK/rootfs"
IMAGE_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

say() { printf '== %s\n' "$*" >&2; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

[ "$(id -u)" = 0 ] || { echo "run as root (debootstrap, mounts, namespaces)" >&2; exit 2; }
[ -x "$PY" ] || { echo "no $PY: make the project's environment first (make demo)" >&2; exit 2; }
command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap >/dev/null
for tool in unshare pivot_root mount; do
  command -v "$tool" >/dev/null || { echo "needs $tool (util-linux)" >&2; exit 2; }
done
mkdir -p "$CACHE" "$WORK"

# ------------------------------------------------------------------- the bundle
say "building the $ASSIGNMENT bundle"
rm -rf "$WORK/results" "$WORK/submissions"
mkdir -p "$WORK/results" "$WORK/submissions"
(cd "$REPO" && "$PY" -m autograder gradescope "$ASSIGNMENT" --out "$WORK/autograder.zip") >&2

# ------------------------------------------------------------------- the image
sources() {  # what Ubuntu's and Debian's container images list
  case "$1" in
    jammy) for pocket in jammy jammy-updates jammy-backports; do
             echo "deb http://archive.ubuntu.com/ubuntu/ $pocket main restricted universe multiverse"
           done
           echo "deb http://security.ubuntu.com/ubuntu/ jammy-security main restricted universe multiverse" ;;
    *) echo "deb http://deb.debian.org/debian $1 main"
       echo "deb http://deb.debian.org/debian $1-updates main"
       echo "deb http://deb.debian.org/debian-security $1-security main" ;;
  esac
}

make_image() {  # $1: suite; leaves $CACHE/$1.tar.gz or fails
  local suite="$1" mirror=http://deb.debian.org/debian tmp="$CACHE/$1.tmp"
  [ "$suite" = jammy ] && mirror=http://archive.ubuntu.com/ubuntu
  [ -e "/usr/share/debootstrap/scripts/$suite" ] || apt-get install -y -qq debootstrap >/dev/null
  rm -rf "$tmp"
  say "debootstrap --variant=minbase $suite (once; cached in $CACHE/$suite.tar.gz)"
  timeout 900 debootstrap --variant=minbase "$suite" "$tmp" "$mirror" > "$CACHE/$suite.log" 2>&1 \
    || { rm -rf "$tmp"; return 1; }
  sources "$suite" > "$tmp/etc/apt/sources.list"
  rm -rf "$tmp/var/cache/apt/archives/"*.deb "$tmp/var/lib/apt/lists/"*
  tar -C "$tmp" -czf "$CACHE/$suite.tar.gz.partial" . && mv "$CACHE/$suite.tar.gz.partial" "$CACHE/$suite.tar.gz"
  rm -rf "$tmp"
}

if [ ! -s "$CACHE/$SUITE.tar.gz" ] && ! make_image "$SUITE"; then
  [ "$SUITE" = jammy ] || { echo "debootstrap $SUITE failed: $CACHE/$SUITE.log" >&2; exit 1; }
  say "Ubuntu's archive unreachable (see $CACHE/jammy.log): Debian bookworm instead"
  SUITE=bookworm
  [ -s "$CACHE/$SUITE.tar.gz" ] || make_image "$SUITE" || { echo "debootstrap failed" >&2; exit 1; }
fi
say "a fresh $SUITE root file system in $ROOTFS"
if [ -d "$ROOTFS" ]; then
  # a mount left by an interrupted run would make rm walk into the host's /dev or /proc
  grep -q " $ROOTFS/" /proc/mounts && { echo "$ROOTFS still has mounts" >&2; exit 1; }
  rm -rf "$ROOTFS"
fi
mkdir -p "$ROOTFS"
tar -C "$ROOTFS" -xzf "$CACHE/$SUITE.tar.gz"
cp -L /etc/resolv.conf "$ROOTFS/etc/resolv.conf"

# Run a command in the image as root, as a container would: its own mount and pid
# namespaces, pivot_root into the image, a small /dev, /proc, read-only /sys.
cat > "$WORK/enter.sh" <<'EOF'
set -euo pipefail
R="$1"; shift
mount --make-rprivate /
mount --bind "$R" "$R"
mount -t proc proc "$R/proc"
mount -t sysfs -o ro sysfs "$R/sys"
mount -t tmpfs -o mode=755,nosuid tmpfs "$R/dev"
for d in null zero full random urandom tty; do
  touch "$R/dev/$d"; mount --bind "/dev/$d" "$R/dev/$d"
done
mkdir -p "$R/dev/pts" "$R/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666 devpts "$R/dev/pts"
ln -s pts/ptmx "$R/dev/ptmx"
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$R/dev/shm"
ln -s /proc/self/fd "$R/dev/fd"
mkdir -p "$R/.host"
cd "$R"
pivot_root . .host
cd /
umount -l /.host
rmdir /.host
if [ -n "${KIT_DOCKER_CAPS:-}" ]; then  # Docker's default capabilities, no others
  exec setpriv --inh-caps -all --bounding-set "-all,$KIT_DOCKER_CAPS" -- "$@"
fi
exec "$@"
EOF
# A host that reaches PyPI through a TLS-intercepting proxy names its CA bundle in
# PIP_CERT (or pip's `cert` setting): pip in the image gets that bundle, nothing else.
HOST_ENV=()
HOST_CERT="${PIP_CERT:-$(pip config get global.cert 2>/dev/null || true)}"
if [ -n "$HOST_CERT" ] && [ -s "$HOST_CERT" ]; then
  cp -L "$HOST_CERT" "$ROOTFS/etc/kit-host-ca.pem"
  HOST_ENV+=(PIP_CERT=/etc/kit-host-ca.pem)
fi
DOCKER_CAPS=+chown,+dac_override,+fowner,+fsetid,+kill,+setgid,+setuid,+setpcap
DOCKER_CAPS+=,+net_bind_service,+net_raw,+sys_chroot,+mknod,+audit_write,+setfcap
inside() {  # inside CMD...: as root in the image, with a clean environment
  KIT_DOCKER_CAPS="${CAPS:-}" unshare --mount --pid --fork --kill-child -- bash "$WORK/enter.sh" "$ROOTFS" \
    /usr/bin/env -i PATH="$IMAGE_PATH" HOME=/root "${HOST_ENV[@]}" "$@"
}

# ------------------------------------------------------------------- setup.sh
# Gradescope unzips the bundle into /autograder/source and copies run_autograder to
# /autograder/run_autograder (unzip keeps the mode bits; so does this).
"$PY" - "$WORK/autograder.zip" "$ROOTFS/autograder" <<'EOF'
import shutil, sys, zipfile
from pathlib import Path
bundle, root = sys.argv[1], Path(sys.argv[2])
with zipfile.ZipFile(bundle) as archive:
    for item in archive.infolist():
        path = Path(archive.extract(item, root / "source"))
        mode = (item.external_attr >> 16) & 0o777
        if mode and not item.is_dir():
            path.chmod(mode)
shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")
(root / "run_autograder").chmod(0o755)
EOF
say "setup.sh (apt-get and pip: a few minutes)"
started="$(now)"
status=0
CAPS="$DOCKER_CAPS" inside bash -c 'cd /autograder && bash /autograder/source/setup.sh' \
  > "$WORK/results/setup.log" 2>&1 || status=$?
SETUP_TIME="$(since "$started")"
if [ "$status" != 0 ]; then
  tail -30 "$WORK/results/setup.log" >&2
  echo "setup.sh failed (exit $status) after $SETUP_TIME s: $WORK/results/setup.log" >&2
  exit 1
fi
RELEASE="$(inside bash -c '. /etc/os-release; echo "$PRETTY_NAME"')"
IMAGE_PY="$(inside /autograder/kit-venv/bin/python -c 'import sys; print(sys.version.split()[0])')"

# ------------------------------------------------------------------- submissions
(cd "$REPO" && "$PY" - "$ASSIGNMENT" "$WORK/submissions" <<'EOF'
import json, sys, tempfile
from pathlib import Path
sys.path[:0] = ["tests", "tests/attacks"]
import corpus
from autograder.course import solution_submission, with_answers
from autograder.grader.batch import release_notebook
from autograder.mutants import catalog, mutant_source
from autograder.solutions import solution_sources
assignment, out = sys.argv[1], Path(sys.argv[2])
release = release_notebook(assignment, Path(tempfile.gettempdir()) / "kit-grader-test-cache")
correct = solution_submission(release, assignment)
mutant = next(m for m in catalog(assignment) if m.key == "rnn_step_backward/no_tanh_grad")
attacks = {a.name: a for a in corpus.attacks()}
notebooks = {
    "correct": ("My rnn (2).ipynb", correct),
    "mistake": (f"{assignment}.ipynb",
                with_answers(correct, {mutant.function: mutant_source(assignment, mutant)})),
    "hostile": (f"{assignment}.ipynb", corpus.submission(attacks["import_reference"], release)),
    "hang": (f"{assignment}.ipynb", corpus.submission(attacks["loop_call"], release)),
}
# A fifth: the right rnn_step_forward, once it has opened the stored reference (it must
# not be able to: that test group scores 0, and only it).
step = solution_sources(assignment)["rnn_step_forward"].replace(
    "def rnn_step_forward(", "def _step(", 1)
peek = step + (f"\n\ndef rnn_step_forward(x, prev_h, Wx, Wh, b):\n"
               f"    open('/autograder/source/kit/data/{assignment}.pkl.gz', 'rb').close()\n"
               f"    return _step(x, prev_h, Wx, Wh, b)\n")
notebooks["peek"] = (f"{assignment}.ipynb", with_answers(correct, {"rnn_step_forward": peek}))
for name, (upload, notebook) in notebooks.items():
    (out / name).mkdir()
    text = notebook if isinstance(notebook, (str, bytes)) else json.dumps(notebook)
    (out / name / upload).write_bytes(text if isinstance(text, bytes) else text.encode())
EOF
)

# Twice: as root with Docker's default capabilities (no CAP_SYS_ADMIN: the sandbox cannot
# make namespaces, as in a default Docker container, which Gradescope's most likely is),
# then as root with every capability (a privileged container).
for mode in docker privileged; do
  CAPS=""; [ "$mode" = docker ] && CAPS="$DOCKER_CAPS"
  for name in correct mistake hostile hang peek; do
    rm -rf "$ROOTFS/autograder/submission" "$ROOTFS/autograder/results"
    mkdir -p "$ROOTFS/autograder/submission" "$ROOTFS/autograder/results"
    cp -a "$WORK/submissions/$name/." "$ROOTFS/autograder/submission/"
    say "run_autograder ($mode): $name"
    started="$(now)"
    CAPS="$CAPS" inside bash -c \
      'cd /autograder && /autograder/run_autograder > /autograder/results/stdout 2>&1' \
      || echo "run_autograder exited $? on $name" >&2
    echo "$name $mode $(since "$started")" >> "$WORK/results/times"
    cp "$ROOTFS/autograder/results/stdout" "$WORK/results/$name.$mode.stdout"
    cp "$ROOTFS/autograder/results/results.json" "$WORK/results/$name.$mode.json" 2>/dev/null \
      || true
  done
done

# ------------------------------------------------------------------- summary
(cd "$REPO" && "$PY" - "$ASSIGNMENT" "$WORK/results" "$SUITE" "$RELEASE" "$IMAGE_PY" \
  "$SETUP_TIME" <<'EOF'
import json, sys
from pathlib import Path
sys.path[:0] = ["tests", "tests/attacks"]
import corpus
from test_gradescope import check_schema
from autograder import suite
from autograder.mutants import catalog
assignment, results, image, release, python, setup = sys.argv[1:]
tests = suite.tests_for(assignment)
points = {t.name: t.points for t in tests}
attacks = {a.name: a for a in corpus.attacks()}
mutant = next(m for m in catalog(assignment) if m.key == "rnn_step_backward/no_tanh_grad")

def check(name, results_json):
    scores = {t["name"]: t["score"] for t in results_json["tests"]}
    output = results_json["output"]
    if name == "correct":
        assert scores == points, "not full marks"
        assert "graded My rnn (2).ipynb" in output
    elif name == "mistake":
        lost = {n for n, s in scores.items() if s < points[n]}
        functions = {t.function for t in tests if t.name in lost}
        assert lost and functions == {mutant.function}, f"lost in {functions}"
        assert mutant.hint in output, "no hint"
    elif name == "hostile":
        assert scores == corpus.expected_scores(attacks["import_reference"], tests), "scores"
    elif name == "peek":
        lost = {n for n, s in scores.items() if s < points[n]}
        assert {t.function for t in tests if t.name in lost} == {"rnn_step_forward"}, \
            "the sandbox read the stored reference"
        assert "Error" in output, output[:60]
    else:
        assert scores == corpus.expected_scores(attacks["loop_call"], tests), "scores"
        assert output.startswith("Status: timeout."), output[:60]
        assert "Stopped: rnn_step_forward did not finish in time" in output, "hang not named"

print(f"image: {release} ({image} minbase), kit-venv Python {python}")
print(f"setup.sh: {setup} s")
failed = 0
for line in Path(results, "times").read_text().splitlines():
    name, mode, seconds = line.split()
    path = Path(results, f"{name}.{mode}.json")
    stdout = Path(results, f"{name}.{mode}.stdout").read_text(errors="replace")
    isolation = next((line for line in stdout.splitlines() if line.startswith("isolation:")),
                     "isolation: (no line)")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        check_schema(data)
        check(name, data)
        verdict = "ok"
    except Exception as err:  # noqa: BLE001 - reported, counted
        data, verdict = {}, f"FAILED ({type(err).__name__}: {err})"
        failed += 1
    score = f"{data.get('score', 0):g}/{sum(points.values()):g}" if data else "-"
    first = data.get("output", "").splitlines()[0][:60] if data.get("output") else ""
    print(f"{mode:10} {name:8} {seconds:>6} s  score {score:8} {verdict}  [{first}]")
    print(f"           {isolation}")
print(f"results, stdout and setup.log in {results}")
sys.exit(1 if failed else 0)
EOF
)
