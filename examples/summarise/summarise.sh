#!/bin/sh
# Calls nothing external: a real tool would send its arguments to the API with the key.
if [ -n "${OPENAI_API_KEY:-}" ]; then
  echo "OPENAI_API_KEY: given (${#OPENAI_API_KEY} bytes)"
else
  echo "OPENAI_API_KEY: not given"
fi
words=$(printf '%s\n' "$*" | wc -w)
echo "summary: $words word(s): $(printf '%s' "$*" | cut -c1-60)"
