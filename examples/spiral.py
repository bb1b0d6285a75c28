"""The spiral, by hand: the same run as `tinygrad-xent train`, written out in a few lines.

    python examples/spiral.py        # about 2 s

An MLP with one hidden layer of 100 ReLUs separates the three interleaved arms; a linear model,
which can only cut the plane with straight lines, stalls near 50%.
"""

from tinygrad_xent import data, nn, optim, train

x, y = data.spiral(n_per_class=100, n_classes=3, noise=0.2, seed=0)  # (300, 2), (300,)

for sizes in ([2, 100, 3], [2, 3]):
    model = nn.MLP(sizes, rng=0)  # small last layer: the first loss is log 3
    opt = optim.SGD(model.parameters(), lr=1.0, weight_decay=1e-3)
    history = train.fit(model, x, y, optimizer=opt, steps=2000, log_every=500)
    print(
        f"{sizes}: training accuracy {100 * history.final_accuracy:.1f}% in {history.seconds:.1f} s"
    )
