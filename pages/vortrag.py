from presenter import view

view.run()
