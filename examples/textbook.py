"""Every textbook number about softmax, cross-entropy, entropy and BCE, recomputed on the tape.

    python examples/textbook.py        (the same as: tinygrad-xent textbook)

Each lesson prints tinygrad_xent's value beside the book's, with a note wherever the book
rounded an intermediate value first, truncated, or worked in bits.
"""

from tinygrad_xent.textbook import main

if __name__ == "__main__":
    main()
