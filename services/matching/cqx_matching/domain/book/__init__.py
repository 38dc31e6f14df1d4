"""The order books: the continuous double auction and the listed agreement book, over one
order index and its price levels."""
