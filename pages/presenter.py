from ui import presenter

presenter.run()
