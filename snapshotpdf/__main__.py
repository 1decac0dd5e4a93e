from snapshotpdf.cli import main

main()
