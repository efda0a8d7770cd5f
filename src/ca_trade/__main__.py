"""Allow ``python -m ca_trade``."""

from ca_trade.cli import main

if __name__ == "__main__":
    main()
