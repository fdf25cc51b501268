#!/usr/bin/env bash
# A real Trino for checks against Hitflow's tables: fetch, configure, start, query, stop.
#
# Source it from a script (bash, set -euo pipefail) that sets a trap calling trino_stop:
#   source deploy/trino/trino-lib.sh
#   trino_fetch                                   # once; cached under ~/.m2, unpacked in target/
#   trap trino_stop EXIT
#   trino_start /tmp/w [rules.json]               # warehouse of `hitflow local`; optional rules
#   trino_sql platform-admin "SELECT count(*) FROM hits"    # catalog hitflow, schema analytics
#   trino_stop
#
# Trino 476 needs Java 24 or later: TRINO_JAVA_HOME, else /usr/lib/jvm/temurin-25-jdk-amd64,
# else the first /usr/lib/jvm/*25* JDK. The server binds 127.0.0.1 on a port chosen free at
# start, runs with a 1 GiB heap and only the Iceberg plugin (the others are removed after
# unpacking: fewer classes to load, a faster start).

TRINO_VERSION=476
TRINO_REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TRINO_DIR="${TRINO_DIR:-$TRINO_REPO_ROOT/target/trino}"
TRINO_HOME="$TRINO_DIR/trino-server-$TRINO_VERSION"
TRINO_CLI="$TRINO_DIR/trino-cli-$TRINO_VERSION-executable.jar"
TRINO_PID=""
TRINO_PORT=""
TRINO_INSTANCE=""

trino_log() { echo "[trino] $*" >&2; }

# The JDK Trino runs on (Java 24+), or a message naming what is missing.
trino_java_home() {
    local candidate
    for candidate in "${TRINO_JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*25*; do
        if [[ -n "$candidate" && -x "$candidate/bin/java" ]]; then
            echo "$candidate"
            return 0
        fi
    done
    trino_log "no JDK 24+ found for Trino $TRINO_VERSION: set TRINO_JAVA_HOME" \
        "(looked in /usr/lib/jvm/temurin-25-jdk-amd64 and /usr/lib/jvm/*25*)"
    return 1
}

# Server tarball and CLI from Maven Central through the Maven wrapper (cached under ~/.m2),
# unpacked under target/trino; sqlite-jdbc (the project's version) into plugin/iceberg/.
trino_fetch() {
    if [[ -f "$TRINO_HOME/.hitflow-ready" && -f "$TRINO_CLI" ]]; then
        return 0
    fi
    local sqlite_version dist
    sqlite_version="$(sed -n 's:.*<sqlite.version>\(.*\)</sqlite.version>.*:\1:p' \
        "$TRINO_REPO_ROOT/pom.xml")"
    dist="$TRINO_DIR/dist"
    mkdir -p "$dist"
    trino_log "fetching Trino $TRINO_VERSION server, CLI and sqlite-jdbc $sqlite_version"
    (cd "$TRINO_REPO_ROOT" && ./mvnw -B -ntp -q dependency:copy \
        -Dartifact="io.trino:trino-server:$TRINO_VERSION:tar.gz" -DoutputDirectory="$dist")
    (cd "$TRINO_REPO_ROOT" && ./mvnw -B -ntp -q dependency:copy \
        -Dartifact="io.trino:trino-cli:$TRINO_VERSION:jar:executable" -DoutputDirectory="$dist")
    (cd "$TRINO_REPO_ROOT" && ./mvnw -B -ntp -q dependency:copy \
        -Dartifact="org.xerial:sqlite-jdbc:$sqlite_version" -DoutputDirectory="$dist")
    rm -rf "$TRINO_HOME"
    # The tarball hard-links jars shared between plugins, so it is unpacked whole first.
    tar xzf "$dist/trino-server-$TRINO_VERSION.tar.gz" -C "$TRINO_DIR"
    find "$TRINO_HOME/plugin" -mindepth 1 -maxdepth 1 ! -name iceberg -exec rm -rf {} +
    cp "$dist/sqlite-jdbc-$sqlite_version.jar" "$TRINO_HOME/plugin/iceberg/"
    cp "$dist/trino-cli-$TRINO_VERSION-executable.jar" "$TRINO_CLI"
    rm -f "$dist/trino-server-$TRINO_VERSION.tar.gz"
    touch "$TRINO_HOME/.hitflow-ready"
}

trino_free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Writes etc/ for one instance: node, JVM, server on 127.0.0.1, the hitflow catalog on the
# warehouse's JDBC/SQLite catalog and, given a rules file, file-based access control.
trino_write_etc() {
    local etc="$1" warehouse="$2" rules="${3:-}"
    mkdir -p "$etc/catalog" "$TRINO_INSTANCE/data"
    cat > "$etc/node.properties" <<PROPS
node.environment=hitflow_check
node.id=hitflow-check-$$
node.data-dir=$TRINO_INSTANCE/data
PROPS
    cat > "$etc/jvm.config" <<JVM
-Xmx1G
-XX:+UseSerialGC
-XX:+ExitOnOutOfMemoryError
-XX:-OmitStackTraceInFastThrow
-XX:ReservedCodeCacheSize=256M
-XX:TieredStopAtLevel=1
-Djdk.attach.allowAttachSelf=true
-Dfile.encoding=UTF-8
-XX:+EnableDynamicAgentLoading
--sun-misc-unsafe-memory-access=allow
--enable-native-access=ALL-UNNAMED
JVM
    cat > "$etc/config.properties" <<PROPS
coordinator=true
node-scheduler.include-coordinator=true
http-server.http.port=$TRINO_PORT
node.internal-address=127.0.0.1
discovery.uri=http://127.0.0.1:$TRINO_PORT
catalog.config-dir=$etc/catalog
plugin.dir=$TRINO_HOME/plugin
query.max-memory=512MB
query.max-memory-per-node=512MB
task.concurrency=2
PROPS
    cat > "$etc/catalog/hitflow.properties" <<PROPS
connector.name=iceberg
iceberg.catalog.type=jdbc
iceberg.jdbc-catalog.catalog-name=hitflow
iceberg.jdbc-catalog.driver-class=org.sqlite.JDBC
iceberg.jdbc-catalog.connection-url=jdbc:sqlite:$warehouse/catalog.db
iceberg.jdbc-catalog.default-warehouse-dir=file://$warehouse
iceberg.jdbc-catalog.schema-version=V1
fs.native-local.enabled=true
local.location=/
PROPS
    if [[ -n "$rules" ]]; then
        cat > "$etc/access-control.properties" <<PROPS
access-control.name=file
security.config-file=$rules
security.refresh-period=5s
PROPS
        echo "access-control.config-files=$etc/access-control.properties" >> "$etc/config.properties"
    fi
}

# trino_start WAREHOUSE [RULES_JSON]: starts the server and waits until it accepts queries.
trino_start() {
    local warehouse rules java_home etc started cp jvm_opts=()
    warehouse="$(cd "$1" && pwd)"
    rules="${2:+$(cd "$(dirname "$2")" && pwd)/$(basename "$2")}"
    java_home="$(trino_java_home)"
    TRINO_PORT="$(trino_free_port)"
    TRINO_INSTANCE="$TRINO_DIR/run-$$"
    rm -rf "$TRINO_INSTANCE"
    etc="$TRINO_INSTANCE/etc"
    trino_write_etc "$etc" "$warehouse" "$rules"
    mapfile -t jvm_opts < "$etc/jvm.config"
    # What bin/launcher does (node.properties as system properties), without its daemon logic,
    # so this script owns the process and its trap can always stop it.
    local node_props=()
    while IFS='=' read -r key value; do node_props+=("-D$key=$value"); done < "$etc/node.properties"
    started=$(date +%s.%N)
    (cd "$TRINO_INSTANCE" && exec "$java_home/bin/java" "${jvm_opts[@]}" "${node_props[@]}" \
        -Dconfig="$etc/config.properties" -Dlog.output-file="$TRINO_INSTANCE/server.log" \
        -Dlog.enable-console=false -cp "$TRINO_HOME/lib/*" io.trino.server.TrinoServer \
        > "$TRINO_INSTANCE/stdout.log" 2>&1) &
    TRINO_PID=$!
    trino_log "starting on 127.0.0.1:$TRINO_PORT (pid $TRINO_PID, $java_home, logs $TRINO_INSTANCE)"
    local deadline=$((SECONDS + ${TRINO_START_TIMEOUT:-300}))
    until curl -fsS "http://127.0.0.1:$TRINO_PORT/v1/info" 2>/dev/null | grep -q '"starting":false'; do
        if ! kill -0 "$TRINO_PID" 2>/dev/null; then
            trino_log "the server exited during start; last lines of its log:"
            tail -n 30 "$TRINO_INSTANCE/server.log" "$TRINO_INSTANCE/stdout.log" >&2 || true
            return 1
        fi
        if ((SECONDS > deadline)); then
            trino_log "not ready after ${TRINO_START_TIMEOUT:-300} s"
            return 1
        fi
        sleep 1
    done
    TRINO_STARTUP_SECONDS=$(python3 -c "print(round($(date +%s.%N) - $started, 1))")
    trino_log "ready in $TRINO_STARTUP_SECONDS s"
}

# trino_sql USER SQL: runs SQL as USER (catalog hitflow, schema analytics), prints TSV rows;
# a failing statement prints Trino's message on stderr and returns non-zero.
trino_sql() {
    local user="$1" sql="$2" java_home err rc=0
    java_home="$(trino_java_home)"
    err="$(mktemp)"
    "$java_home/bin/java" --enable-native-access=ALL-UNNAMED -Dorg.jline.terminal.dumb=true \
        -jar "$TRINO_CLI" --server "http://127.0.0.1:$TRINO_PORT" \
        --user "$user" --catalog hitflow --schema analytics --output-format TSV \
        --execute "$sql" 2> "$err" || rc=$?
    # the CLI's own start-up warnings (JLine, native access) are noise here
    grep -v -e '^WARNING' -e 'org.jline' -e '^$' "$err" >&2 || true
    rm -f "$err"
    return "$rc"
}

trino_stop() {
    if [[ -n "$TRINO_PID" ]] && kill -0 "$TRINO_PID" 2>/dev/null; then
        kill "$TRINO_PID" 2>/dev/null || true
        local waited=0
        while kill -0 "$TRINO_PID" 2>/dev/null && ((waited < 30)); do
            sleep 1
            waited=$((waited + 1))
        done
        kill -9 "$TRINO_PID" 2>/dev/null || true
        wait "$TRINO_PID" 2>/dev/null || true
        trino_log "stopped (pid $TRINO_PID)"
    fi
    TRINO_PID=""
}
