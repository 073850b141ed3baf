from treffpunkt.cli import main

main()
