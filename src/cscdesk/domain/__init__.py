"""Pure rules of the service center: models, workflow, SLA clocks, indicators, Erlang C, privacy. No I/O."""
