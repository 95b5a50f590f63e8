from cscdesk.cli import main

main()
