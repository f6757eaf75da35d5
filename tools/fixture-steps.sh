# Shared by the fixture builds (tiny-sdxl, tiny-flow-common, tiny-flux, tiny-sd3): sourced, not run.
# Each build sets `first` (the step to start from) and `started=false`, then calls `step NAME command...`:
# steps before `first` are skipped, the others run with PyTorch's export warnings filtered out.
step() {
  local name=$1; shift
  [ "$name" = "$first" ] && started=true
  $started || return 0
  echo "== $name: $*"
  "$@" 2>&1 | { grep --line-buffered -v -E "Warning|warnings.warn|_C._jit_pass" || true; }
}

# The ONNX Runtime Java jar the project builds with (pom.xml's onnxruntime.version), from the local Maven
# repository, resolved with the wrapper when missing; REPO must be set.
ort_jar() {
  local version jar
  version=$(sed -n 's:.*<onnxruntime.version>\(.*\)</onnxruntime.version>.*:\1:p' "$REPO/pom.xml")
  jar="$HOME/.m2/repository/com/microsoft/onnxruntime/onnxruntime/$version/onnxruntime-$version.jar"
  if [ ! -f "$jar" ]; then
    (cd "$REPO" && ./mvnw -q dependency:resolve > /dev/null)
  fi
  echo "$jar"
}
