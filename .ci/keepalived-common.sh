# Sourced by .ci/keepalived-config-test.sh and .ci/netns-keepalived-test.sh.
# shellcheck shell=bash

# The script user the rendered configs name (the documented image creates it),
# as a line of passwd and group. When this machine has no such user, the tests
# run keepalived in a mount namespace whose /etc/passwd and /etc/group are
# copies with this user added (bind mounts; nothing on the machine changes).
KEEPALIVED_SCRIPT_USER=keepalived_script

# prepare_script_user DIR: writes DIR/passwd and DIR/group (the machine's with
# the script user added) and prints "bind" when they are needed, "" otherwise.
prepare_script_user() {
  local dir=$1 uid=60999
  if getent passwd "$KEEPALIVED_SCRIPT_USER" >/dev/null 2>&1; then
    echo ""
    return
  fi
  while getent passwd "$uid" >/dev/null 2>&1 || getent group "$uid" >/dev/null 2>&1; do uid=$((uid - 1)); done
  cp /etc/passwd "$dir/passwd" && cp /etc/group "$dir/group"
  echo "$KEEPALIVED_SCRIPT_USER:x:$uid:$uid:keepalived health check:/nonexistent:/usr/sbin/nologin" >>"$dir/passwd"
  echo "$KEEPALIVED_SCRIPT_USER:x:$uid:" >>"$dir/group"
  chmod 644 "$dir/passwd" "$dir/group"
  echo "bind"
}

# The NIC whose MAC address is $1 (lower-case, colon-separated), as the pod's
# start script finds it on a Talos node: by /sys/class/net/*/address, never by
# a guessed name. Prints the name; fails when no NIC or several have it.
find_interface_by_mac() {
  local mac=$1 found="" file
  for file in /sys/class/net/*/address; do
    [ "$(tr 'A-F' 'a-f' <"$file")" = "$mac" ] || continue
    [ -z "$found" ] || { echo "two interfaces have MAC $mac" >&2; return 1; }
    found=$(basename "$(dirname "$file")")
  done
  [ -n "$found" ] || { echo "no interface has MAC $mac" >&2; return 1; }
  echo "$found"
}

# keepalived 2.2.7 (Debian 12) kills itself with SIGTERM during `keepalived -t`
# whenever the script user is not the user running it: check_script_secure()
# compares getppid() with main_pid, which config-test mode never sets (0);
# fixed in 2.2.8, commit aae8e910 "config_check: Don't kill process when
# checking validity of scripts". As PID 1 of a new PID namespace its parent
# pid reads 0, so the check passes: run the test that way. Prints keepalived's
# output; returns its exit code.
keepalived_config_check() { # conf
  unshare --pid --fork keepalived -t -f "$1" 2>&1
}
