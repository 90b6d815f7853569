#!/bin/sh
# Install (or, with --print, only render) the metricsd LaunchAgent for the current user.
#   METRICSD=/path/to/metricsd launchd/install.sh          # default: metricsd on $PATH
#   launchd/install.sh --print                             # the rendered plist on stdout
# Uninstall:
#   launchctl bootout gui/$(id -u)/org.metricsd.agent
#   rm ~/Library/LaunchAgents/org.metricsd.agent.plist
set -eu
here=$(cd "$(dirname "$0")" && pwd)
label=org.metricsd.agent
bin=${METRICSD:-$(command -v metricsd || true)}
if [ -z "$bin" ]; then
    echo "install.sh: metricsd not found on PATH; set METRICSD=/path/to/metricsd" >&2
    exit 1
fi
# platformdirs.user_runtime_dir("metricsd") on macOS: the daemon's default socket dir.
sockdir="$HOME/Library/Caches/TemporaryItems/metricsd"
logdir="$HOME/Library/Logs/metricsd"

render() {
    sed -e "s|@METRICSD@|$bin|g" -e "s|@SOCKET_DIR@|$sockdir|g" -e "s|@LOG_DIR@|$logdir|g" \
        "$here/$label.plist"
}

if [ "${1:-}" = "--print" ]; then
    render
    exit 0
fi
mkdir -p "$sockdir" "$logdir" "$HOME/Library/LaunchAgents"
chmod 700 "$sockdir"
dest="$HOME/Library/LaunchAgents/$label.plist"
render > "$dest"
plutil -lint "$dest"
launchctl bootout "gui/$(id -u)/$label" 2>/dev/null || true
launchctl bootstrap "gui/$(id -u)" "$dest"
echo "installed $dest: launchd listens on $sockdir/metricsd.sock and starts metricsd on demand"
