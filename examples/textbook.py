"""Every worked number of the sources about softmax, cross-entropy, BCE, hinge and NT-Xent.

    python examples/textbook.py        (the same as: tinygrad-xent textbook)

Each lesson names its source (five lecture notes, CS231n, the SimCLR and SupCon papers) and
prints the package's value beside the number the source prints. A note says where the source
rounded an intermediate value first, truncated, or slipped (with the right value); numbers the
source does not print are labelled as ours.
"""

from tinygrad_xent.textbook import main

if __name__ == "__main__":
    main()
