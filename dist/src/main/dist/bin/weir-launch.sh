# Shared part of Weir's launch scripts; sourced by bin/weir-*, not run on its own.
#
# Sets WEIR_HOME (the installation directory), WEIR_CONF_DIR, reads $WEIR_CONF_DIR/weir.conf
# (an environment variable of the same name wins over a line of the file), finds java and builds
# the class path. weir_start runs a process in the foreground (exec) or, with --daemon, in the
# background with its output in $WEIR_LOG_DIR, waiting until it reports that it is up.

# Prints the script's leading comment (its usage) and exits with 2.
weir_usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" >&2
  exit 2
}

weir_fail() {
  echo "$(basename "$0"): $*" >&2
  exit 1
}

# The installation directory: the parent of bin/, following symbolic links to the script.
weir_home() {
  local script="$1" target
  while [ -L "$script" ]; do
    target="$(readlink "$script")"
    case "$target" in
      /*) script="$target" ;;
      *) script="$(dirname "$script")/$target" ;;
    esac
  done
  (cd "$(dirname "$script")/.." && pwd -P)
}

# Reads NAME=value lines of $1 into shell variables, keeping those the environment already sets.
weir_read_conf() {
  local file="$1" line key value number=0
  [ -f "$file" ] || weir_fail "no configuration file $file (WEIR_CONF_DIR=$WEIR_CONF_DIR)"
  while IFS= read -r line || [ -n "$line" ]; do
    number=$((number + 1))
    line="${line%$'\r'}"
    line="${line#"${line%%[![:space:]]*}"}"
    case "$line" in
      '' | '#'*) continue ;;
    esac
    key="${line%%=*}"
    value="${line#*=}"
    if [ "$key" = "$line" ] || ! [[ "$key" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]]; then
      weir_fail "$file:$number: expected NAME=value, got: $line"
    fi
    if [[ "$value" == \"*\" || "$value" == \'*\' ]] && [ "${#value}" -ge 2 ]; then
      value="${value:1:${#value}-2}"
    fi
    if [ -z "${!key+set}" ]; then
      printf -v "$key" '%s' "$value"
    fi
  done <"$file"
}

# A path of the configuration, relative to WEIR_HOME unless absolute.
weir_path() {
  case "$1" in
    /*) echo "$1" ;;
    *) echo "$WEIR_HOME/$1" ;;
  esac
}

WEIR_HOME="$(weir_home "$0")"
WEIR_CONF_DIR="${WEIR_CONF_DIR:-$WEIR_HOME/conf}"
weir_read_conf "$WEIR_CONF_DIR/weir.conf"
WEIR_LOG_DIR="$(weir_path "${WEIR_LOG_DIR:-log}")"
WEIR_SECURITY_DIR="$(weir_path "${WEIR_SECURITY_DIR:-security}")"

# weir_security_args ARGS...: sets WEIR_SECURITY_ARGS to --securityDir=$WEIR_SECURITY_DIR if that
# directory exists (made by bin/weir-security init) and ARGS name neither --securityDir nor
# --insecure; else to nothing.
weir_security_args() {
  WEIR_SECURITY_ARGS=()
  local arg
  for arg in "$@"; do
    case "$arg" in
      --securityDir=* | --insecure | --insecure=*) return 0 ;;
    esac
  done
  if [ -d "$WEIR_SECURITY_DIR" ]; then
    WEIR_SECURITY_ARGS=("--securityDir=$WEIR_SECURITY_DIR")
  fi
}

if [ -n "${JAVA_HOME:-}" ]; then
  WEIR_JAVA="$JAVA_HOME/bin/java"
  [ -x "$WEIR_JAVA" ] || weir_fail "JAVA_HOME=$JAVA_HOME has no bin/java"
else
  WEIR_JAVA="$(command -v java || true)"
  [ -n "$WEIR_JAVA" ] || weir_fail "no java on the PATH; set JAVA_HOME (Java 17 or later)"
fi

# conf/ first (simplelogger.properties, a Hadoop core-site.xml), then Weir. Pipelines' jars
# (usrlib/) are on bin/weir-run's class path only: a job's jars are staged to the coordinator when
# it is submitted, and the workers load them in a class loader of the job's own.
WEIR_CLASS_PATH="$WEIR_CONF_DIR:$WEIR_HOME/lib/*"
if [ -n "${WEIR_CLASSPATH:-}" ]; then
  WEIR_CLASS_PATH="$WEIR_CLASS_PATH:$WEIR_CLASSPATH"
fi

# weir_start NAME MARKER DAEMON JAVA_ARGS...
# Runs java with JAVA_ARGS. DAEMON=false: replaces this shell (exec), output on the terminal.
# DAEMON=true: starts it in the background, output appended to $WEIR_LOG_DIR/NAME.log, pid in
# $WEIR_LOG_DIR/NAME.pid, and waits until a line starting with MARKER appears (printed), or fails
# if the process ends first or WEIR_START_TIMEOUT seconds pass.
weir_start() {
  local name="$1" marker="$2" daemon="$3"
  shift 3
  if [ "$daemon" != true ]; then
    exec "$WEIR_JAVA" "$@"
  fi
  mkdir -p "$WEIR_LOG_DIR"
  local log="$WEIR_LOG_DIR/$name.log" pidfile="$WEIR_LOG_DIR/$name.pid" pid
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    weir_fail "$name is already running (pid $(cat "$pidfile"), $pidfile)"
  fi
  touch "$log"
  local before
  before="$(wc -l <"$log")"
  nohup "$WEIR_JAVA" "$@" >>"$log" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$pidfile"
  local waited=0 line
  while :; do
    line="$(tail -n +"$((before + 1))" "$log" | grep -m 1 "^$marker" || true)"
    if [ -n "$line" ]; then
      echo "$line"
      echo "$name: pid $pid, log $log"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$pidfile"
      tail -n 20 "$log" >&2
      weir_fail "$name ended before it was up; see $log"
    fi
    if [ "$waited" -ge "$((${WEIR_START_TIMEOUT:-60} * 5))" ]; then
      tail -n 20 "$log" >&2
      weir_fail "$name (pid $pid) not up after ${WEIR_START_TIMEOUT:-60} s; see $log"
    fi
    sleep 0.2
    waited=$((waited + 1))
  done
}
