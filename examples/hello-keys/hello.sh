#!/bin/sh
# A package that calls nothing external: it reports the keys keyward gave it.
echo "hello from $KEYWARD_PACKAGE"
for key in STRIPE_SECRET_KEY STRIPE_ACCOUNT; do
  eval "value=\${$key:-}"
  if [ -n "$value" ]; then
    echo "$key: given (${#value} bytes), value: $value"
  else
    echo "$key: not given"
  fi
done
