#!/bin/sh
# A package in the seed's shape that calls nothing external: it reports the keys
# keyward gave it. Printing a value is safe here only because `keyward run` masks
# every granted value in the output (it reads `<concealed by keyward>`).
echo "hello from $KEYWARD_PACKAGE"
for key in OPENAI_API_KEY SLACK_WEBHOOK_URL; do
  eval "value=\${$key:-}"
  if [ -n "$value" ]; then
    echo "$key: given (${#value} bytes), value: $value"
  else
    echo "$key: not given"
  fi
done
