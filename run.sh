#!/usr/bin/env bash
# calsync launcher. Builds target/calsync.jar when missing or older than the sources, then runs a command:
#   ./run.sh                 the daemon with conf/calsync.json (same as ./run.sh run)
#   ./run.sh demo [opts]     embedded PostgreSQL + local Google emulator + daemon (see ./run.sh demo --help)
#   ./run.sh emulator [opts] the Google Calendar/OAuth emulator alone
#   ./run.sh bench [opts]    the sync benchmark (needs the test classpath; built on demand)
#   ./run.sh bench-conflicts the conflict-check latency benchmark
#   ./run.sh bench-freshness freshness with push on: an event written in Google to a conflict check that sees it
#   ./run.sh bench-api       conflict checks over the EMR API at 500/s (open model) beside the event bus
#   ./run.sh bench-recurrence expansion time and rows per pathological recurring event
#   ./run.sh bench-notices   notice delivery: commit -> webhook latency, draining 10,000 pending notices
#   ./run.sh <command>       any CLI command: sync, sync-all, test-auto-sync, failed, status, ... (./run.sh --help)
# JAVA_OPTS adds JVM options (default for bench-conflicts and bench-api: those of conf/calsync.service).
set -euo pipefail
cd "$(dirname "$0")"
JAR=target/calsync.jar
if [ ! -f "$JAR" ] || [ -n "$(find src/main pom.xml -newer "$JAR" -print -quit)" ]; then
  mvn -q -B -DskipTests package
fi
# the command is the first word that is not an option (nor -c's value); none: the daemon
cmd=run
prev=
for a in "$@"; do
  if [ "$prev" = "-c" ] || [ "$prev" = "--config" ]; then prev=; continue; fi
  case "$a" in -c|--config) prev=$a ;; -*) ;; *) cmd=$a; break ;; esac
done
case "$cmd" in
  demo) logconf=conf/logback-demo.xml ;;
  bench|bench-conflicts|bench-recurrence|bench-freshness|bench-api|bench-notices)
    main=org.calsync.bench.Benchmark
    [ "$cmd" = bench-conflicts ] && main=org.calsync.bench.ConflictBench
    [ "$cmd" = bench-recurrence ] && main=org.calsync.bench.RecurrenceBench
    [ "$cmd" = bench-freshness ] && main=org.calsync.bench.FreshnessBench
    [ "$cmd" = bench-api ] && main=org.calsync.bench.ApiBench
    [ "$cmd" = bench-notices ] && main=org.calsync.bench.NoticeBench
    shift
    if [ ! -f target/test-classpath.txt ] || [ -n "$(find src pom.xml -newer target/test-classpath.txt -print -quit)" ]; then
      mvn -q -B -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
    fi
    # the conflict-check benches measure the daemon's side: by default under the systemd unit's JVM options
    opts=-Xmx1g
    case "$cmd" in bench-conflicts|bench-api) opts=$(sed -n 's/^Environment="JAVA_OPTS=\(.*\)"$/\1/p' conf/calsync.service) ;; esac
    exec java ${JAVA_OPTS:-$opts} -Dlogback.configurationFile=conf/logback-demo.xml -DCALSYNC_DEMO_LOG=bench.log \
      -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" "$main" "$@" ;;
  run|emulator) logconf=conf/logback.xml ;;
  # CLI commands: the result on stdout, warnings and errors on stderr (the jar's logback-cli.xml, chosen by Main)
  *) exec java ${JAVA_OPTS:-} -jar "$JAR" "$@" ;;
esac
exec java ${JAVA_OPTS:-} -Dlogback.configurationFile="$logconf" -jar "$JAR" "$@"
