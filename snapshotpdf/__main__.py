from snapshotpdf.cli.app import main

main()
