"""``python -m jixiao`` runs the command line."""
from jixiao.cli import main

main()
