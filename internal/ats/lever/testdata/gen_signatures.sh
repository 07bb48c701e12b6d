#!/bin/sh
# Regenerates signatures.json with openssl, independently of the Go code
# under test: signature = hex(HMAC-SHA256(key=signatureToken, msg=token+triggeredAt)).
# Usage: sh gen_signatures.sh > signatures.json
set -eu
hmac() { printf '%s' "$2" | openssl dgst -sha256 -hmac "$1" | sed 's/^.*= //'; }
upper() { printf '%s' "$1" | tr 'a-f' 'A-F'; }
src="openssl dgst -sha256 -hmac (OpenSSL $(openssl version | cut -d' ' -f2)) via gen_signatures.sh"

k1="lever-sig-token-1"; t1="4f0c0e8a2b7d4c1e9f3a"; ts1=1505338300917
s1=$(hmac "$k1" "$t1$ts1")
k2="9d3c5b7a1e2f"; t2="b7e1d2c3"; ts2=1700000000000
s2=$(hmac "$k2" "$t2$ts2")
k3="ünïcode-kéy"; t3="tökén-✓"; ts3=1
s3=$(hmac "$k3" "$t3$ts3")
s_empty_token=$(hmac "$k1" "$ts1")
s_other_key=$(hmac "other-token" "$t1$ts1")
s_dot=$(hmac "$k1" "$t1.$ts1")

row() { # name key token ts signature valid
	printf '  {"name": "%s", "signatureToken": "%s", "token": "%s", "triggeredAt": %s, "signature": "%s", "valid": %s, "source": "%s"}' "$1" "$2" "$3" "$4" "$5" "$6" "$src"
}
echo "["
row "valid" "$k1" "$t1" "$ts1" "$s1" true; echo ","
row "valid second key" "$k2" "$t2" "$ts2" "$s2" true; echo ","
row "valid non-ASCII key and token" "$k3" "$t3" "$ts3" "$s3" true; echo ","
row "valid empty token (ParseWebhook rejects it separately)" "$k1" "" "$ts1" "$s_empty_token" true; echo ","
row "uppercase hex is the same MAC" "$k1" "$t1" "$ts1" "$(upper "$s1")" true; echo ","
row "wrong token" "$k1" "${t1}x" "$ts1" "$s1" false; echo ","
row "wrong timestamp" "$k1" "$t1" "$((ts1 + 1))" "$s1" false; echo ","
row "wrong signature token" "$k1" "$t1" "$ts1" "$s_other_key" false; echo ","
row "signed with a separator" "$k1" "$t1" "$ts1" "$s_dot" false; echo ","
row "signature of another payload" "$k2" "$t1" "$ts1" "$s2" false; echo ","
row "empty signature" "$k1" "$t1" "$ts1" "" false; echo ","
row "truncated signature" "$k1" "$t1" "$ts1" "$(printf '%s' "$s1" | cut -c1-63)" false; echo ","
row "non-hex signature" "$k1" "$t1" "$ts1" "$(printf '%s' "$s1" | cut -c1-62)zz" false; echo
echo "]"
