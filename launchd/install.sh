#!/bin/sh
# Install (or, with --print, only render) the metricsd LaunchAgent for the current user.
# A thin wrapper around `metricsd service install --launchd`, which renders the plist with
# plistlib for the binary that runs it (any path is safe, also one with & < " or spaces):
#   METRICSD=/path/to/metricsd launchd/install.sh           # default: metricsd on $PATH
#   launchd/install.sh --print                              # the rendered plist on stdout
#   launchd/install.sh --enable                             # and launchctl bootstrap it
# Uninstall:
#   launchctl bootout gui/$(id -u)/org.metricsd.agent
#   rm ~/Library/LaunchAgents/org.metricsd.agent.plist
set -eu
bin=${METRICSD:-$(command -v metricsd || true)}
if [ -z "$bin" ]; then
    echo "install.sh: metricsd not found on PATH; set METRICSD=/path/to/metricsd" >&2
    exit 1
fi
exec "$bin" service install --launchd "$@"
