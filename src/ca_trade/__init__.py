"""ca-trade: Central Asia's trade with China, the EU and Russia, figure by figure, with sources."""

__version__ = "0.1.0"
