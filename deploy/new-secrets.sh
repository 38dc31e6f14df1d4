#!/bin/sh
# Write fresh random passwords for compose into DIR (see deploy/.env.example): the
# administrator's and one per service role. An existing file is kept, so running it again
# never changes a password a database already uses. Certificates (DIR/pki/<service>/) come
# from the project's certificate authority, not from here.
set -eu
dir=${1:?usage: deploy/new-secrets.sh DIR}
umask 077
mkdir -p "$dir"
chmod 700 "$dir"
for name in postgres registry allocation matching settlement \
    kafka_admin kafka_registry kafka_allocation kafka_matching kafka_settlement; do
  file="$dir/${name}_password"
  case "$name" in postgres|kafka_*) ;; *) file="$dir/${name}_db_password" ;; esac
  if [ ! -e "$file" ]; then
    # hex: a Kafka JAAS line cannot hold " , = ]
    python3 -c "import secrets; print(secrets.token_hex(24))" > "$file"
    # read-only, and readable by the containers' users (postgres, nobody); the folder is not
    chmod 444 "$file"
    echo "wrote $file"
  fi
done
