from cscdesk.cli import run

run()
