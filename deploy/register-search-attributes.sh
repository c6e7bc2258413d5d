#!/bin/sh
# Registers Tandem's search attributes; safe to run again (existing ones are reported and skipped).
set -u
for pair in TicketId=Keyword CustomerId=Keyword Product=Keyword Status=Keyword Escalated=Bool Priority=Int WaitingSince=Datetime Category=Keyword; do
  name=${pair%%=*}
  type=${pair#*=}
  temporal operator search-attribute create --namespace default --name "$name" --type "$type" \
    || echo "search attribute $name already registered"
done
