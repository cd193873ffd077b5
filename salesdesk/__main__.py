from salesdesk.cli import main

main()
